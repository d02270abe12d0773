# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one CloudTower API client of the collection: HTTP, TLS, login, language, errors and paging.

Modules get it through ``module.py``; the inventory plugin builds it with ``CloudTowerClient.from_options``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
import traceback
import warnings

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the missing-library path of the modules
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

API_PATH = "/v2/api"
LANGUAGES = ("en-US", "zh-CN")
USER_SOURCES = ("LOCAL", "LDAP")
DEFAULT_REQUEST_TIMEOUT = 30
DEFAULT_PAGE_SIZE = 500

# Reads may be retried after a transport failure or a gateway error: they change nothing.
# Mutations are never retried here; a module that must survive a lost answer looks the result up instead.
READ_RETRIES = 2
READ_RETRY_DELAY = 0.5
RETRYABLE_STATUSES = (502, 503, 504)


class CloudTowerError(Exception):
    """Anything that went wrong talking to CloudTower.

    ``status`` is the HTTP status (None for a transport failure), ``code``, ``api_message`` and ``path``
    come from CloudTower's ErrorBody, ``operation`` is the API operation (``get-vms``).
    ``result`` may carry what a module had done before the failure, for ``fail_json``.
    """

    def __init__(self, message, operation=None, status=None, code=None, api_message=None, path=None, props=None, result=None):
        super(CloudTowerError, self).__init__(message)
        self.message = message
        self.operation = operation
        self.status = status
        self.code = code
        self.api_message = api_message
        self.path = path
        self.props = props
        self.result = dict(result or {})

    @property
    def is_resource_locked(self):
        return self.code == "ResourceLocked"

    def details(self):
        """The error's fields, for a module's ``error`` return value."""
        return dict(operation=self.operation, status=self.status, code=self.code, api_message=self.api_message, path=self.path)


def base_url_from_host(host):
    """Turn ``tower``, ``tower:8443``, ``http://tower`` or ``https://tower/v2/api`` into the API root URL.

    https is used unless the value says http.
    """
    value = (host or "").strip().rstrip("/")
    if not value:
        raise CloudTowerError("No CloudTower host given: set host (or CLOUDTOWER_HOST) to a hostname, host:port or URL.")
    if "://" not in value:
        value = "https://" + value
    scheme = value.split("://", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise CloudTowerError("CloudTower host %r has scheme %r: use http:// or https://." % (host, scheme))
    if value.endswith(API_PATH):
        value = value[:-len(API_PATH)]
    return value + API_PATH


class CloudTowerClient:
    """A session with one CloudTower.

    Login is lazy: the first call that needs a token logs in (or uses the given ``token``).
    """

    def __init__(self, host, username=None, password=None, user_source="LOCAL", token=None, validate_certs=True,
                 ca_path=None, request_timeout=DEFAULT_REQUEST_TIMEOUT, language="en-US", session=None):
        if not HAS_REQUESTS:
            raise CloudTowerError("The Python library 'requests' is required to talk to CloudTower: install it on the host that runs the task.")
        if language not in LANGUAGES:
            raise CloudTowerError("Unsupported language %r: CloudTower answers in %s." % (language, " or ".join(LANGUAGES)))
        if user_source not in USER_SOURCES:
            raise CloudTowerError("Unsupported user_source %r: use %s." % (user_source, " or ".join(USER_SOURCES)))
        if not token and not (username and password):
            raise CloudTowerError("No CloudTower credentials: give username and password (CLOUDTOWER_USERNAME, CLOUDTOWER_PASSWORD) "
                                  "or a token (CLOUDTOWER_TOKEN).")
        self.base_url = base_url_from_host(host)
        self.username = username
        self._password = password
        self.user_source = user_source
        self._token = token
        self._token_given = bool(token)
        self.language = language
        self.request_timeout = request_timeout
        self.session = session or requests.Session()
        # A CA path replaces the default bundle; validate_certs=False switches checking off. It is passed with every
        # request because requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a session-wide setting.
        self.verify = (ca_path or True) if validate_certs else False
        self.session.headers.update({"Content-Type": "application/json", "Accept": "application/json", "content-language": language})
        self.calls = 0

    @classmethod
    def from_options(cls, options, session=None):
        """Build a client from the shared connection options (module params or plugin options)."""
        return cls(
            host=options.get("host"),
            username=options.get("username"),
            password=options.get("password"),
            user_source=options.get("user_source") or "LOCAL",
            token=options.get("token"),
            validate_certs=options.get("validate_certs", True),
            ca_path=options.get("ca_path"),
            request_timeout=options.get("request_timeout") or DEFAULT_REQUEST_TIMEOUT,
            language=options.get("language") or "en-US",
            session=session,
        )

    # --- authentication -------------------------------------------------------------------------

    def login(self):
        """Log in with username and password and keep the token. Returns the token."""
        try:
            data = self._post("login", {"username": self.username, "password": self._password, "source": self.user_source}, auth=False)
        except CloudTowerError as exc:
            if exc.status in (400, 401, 403):
                raise CloudTowerError(
                    "CloudTower rejected the login for user %s (source %s): %s" % (self.username, self.user_source, exc.api_message or exc.message),
                    operation="login", status=exc.status, code=exc.code, api_message=exc.api_message, path=exc.path)
            raise
        token = ((data or {}).get("data") or {}).get("token")
        if not token:
            raise CloudTowerError("CloudTower answered the login for user %s without a token." % self.username, operation="login")
        self._token = token
        return token

    @property
    def token(self):
        if not self._token:
            self.login()
        return self._token

    # --- calls ----------------------------------------------------------------------------------

    def call(self, operation, body=None):
        """POST ``body`` to ``/v2/api/<operation>`` with the token and return the decoded answer.

        A 401 on a token this client obtained itself means it was revoked: log in once more and repeat
        (a 401 means nothing was done, so repeating is safe).
        """
        token = self.token
        try:
            return self._post(operation, body, auth=True)
        except CloudTowerError as exc:
            if exc.status not in (401, 403):
                raise
            if self._token_given or token != self._token:
                raise self._auth_error(exc)
            self.login()
            try:
                return self._post(operation, body, auth=True)
            except CloudTowerError as retry_exc:
                if retry_exc.status in (401, 403):
                    raise self._auth_error(retry_exc)
                raise

    def get_version(self):
        """The CloudTower version string (``GET /v2/api/get-version``, no login needed)."""
        return self._request("GET", "get-version", None, auth=False)

    def page(self, resource, where=None, order_by=None, first=None, skip=None):
        """One ``get-<resource>`` call: the records matching ``where`` (``first`` of them after ``skip``, when given)."""
        operation = "get-" + resource
        body = {"where": where or {}}
        if order_by:
            body["orderBy"] = order_by
        if first is not None:
            body["first"] = first
        if skip is not None:
            body["skip"] = skip
        records = self.call(operation, body)
        if not isinstance(records, list):
            raise CloudTowerError("CloudTower answered %s with %s, not a list of records." % (operation, type(records).__name__), operation=operation)
        return records

    def iter_pages(self, resource, where=None, order_by=None, page_size=DEFAULT_PAGE_SIZE, limit=None, skip=0):
        """Yield the pages of ``get-<resource>`` matching ``where``, from ``skip`` on, until a short page.

        ``limit`` stops after that many records; ``page_size`` is the number asked for in one call.
        CloudTower's query layer (Prisma) breaks ties of ``orderBy`` by id, so first/skip pages neither miss
        nor repeat records of equal sort values.
        """
        if page_size < 1:
            raise CloudTowerError("page_size must be at least 1, not %s." % page_size)
        if limit is not None and limit < 0:
            raise CloudTowerError("limit must be 0 or more, not %s; leave it out to get every record." % limit)
        fetched = 0
        while limit is None or fetched < limit:
            first = page_size if limit is None else min(page_size, limit - fetched)
            records = self.page(resource, where=where, order_by=order_by, first=first, skip=skip + fetched)
            yield records
            fetched += len(records)
            if len(records) < first:
                return

    def iter_records(self, resource, where=None, order_by=None, page_size=DEFAULT_PAGE_SIZE, limit=None):
        """Yield every record of ``get-<resource>`` matching ``where``, fetching page after page."""
        for records in self.iter_pages(resource, where=where, order_by=order_by, page_size=page_size, limit=limit):
            yield from records

    def list_records(self, resource, where=None, order_by=None, page_size=DEFAULT_PAGE_SIZE, limit=None):
        """Every record of ``get-<resource>`` matching ``where``, as a list."""
        return list(self.iter_records(resource, where=where, order_by=order_by, page_size=page_size, limit=limit))

    def count(self, resource, where=None):
        """How many records ``get-<resource>-connection`` counts for ``where``."""
        answer = self.call("get-%s-connection" % resource, {"where": where or {}})
        try:
            return int(answer["aggregate"]["count"])
        except (TypeError, KeyError, ValueError):
            raise CloudTowerError("CloudTower answered get-%s-connection without aggregate.count." % resource, operation="get-%s-connection" % resource)

    # --- transport ------------------------------------------------------------------------------

    def _auth_error(self, exc):
        if self._token_given:
            what = "the given token"
        else:
            what = "the session of user %s" % self.username
        return CloudTowerError(
            "CloudTower rejected %s on %s: %s. Check the token or credentials." % (what, exc.operation, exc.api_message or exc.message),
            operation=exc.operation, status=exc.status, code=exc.code, api_message=exc.api_message, path=exc.path)

    def _post(self, operation, body, auth):
        return self._request("POST", operation, {} if body is None else body, auth=auth)

    def _request(self, method, operation, body, auth):
        url = "%s/%s" % (self.base_url, operation)
        headers = {"Authorization": self._token} if auth else {}
        retryable = operation.startswith("get-") or operation == "login"
        attempt = 0
        while True:
            attempt += 1
            self.calls += 1
            try:
                with warnings.catch_warnings():
                    if self.verify is False:
                        # The user switched the check off on purpose; urllib3 would warn on every request.
                        warnings.simplefilter("ignore")
                    response = self.session.request(method, url, json=body, headers=headers, timeout=self.request_timeout, verify=self.verify)
            except requests.exceptions.SSLError as exc:
                raise CloudTowerError(
                    "Could not verify the TLS certificate of %s: %s. Set ca_path to the CA that signed it, "
                    "or validate_certs to false to skip the check." % (self.base_url, _cause(exc)), operation=operation)
            except requests.exceptions.Timeout:
                error = CloudTowerError("CloudTower at %s did not answer %s within %s seconds (request_timeout)."
                                        % (self.base_url, operation, self.request_timeout), operation=operation)
            except requests.exceptions.RequestException as exc:
                error = CloudTowerError("Could not reach CloudTower at %s for %s: %s" % (self.base_url, operation, _cause(exc)), operation=operation)
            else:
                if response.status_code < 400:
                    return _decode(response, operation)
                error = _error_from_response(response, operation)
            if not retryable or attempt > READ_RETRIES or (error.status is not None and error.status not in RETRYABLE_STATUSES):
                raise error
            time.sleep(READ_RETRY_DELAY * attempt)


def _cause(exc):
    """The innermost reason of a requests/urllib3 exception, as text."""
    reason = exc
    while True:
        inner = getattr(reason, "reason", None) or (reason.args[0] if getattr(reason, "args", None) else None)
        if isinstance(inner, Exception) and inner is not reason:
            reason = inner
            continue
        return str(reason)


def _decode(response, operation):
    try:
        return response.json()
    except ValueError:
        raise CloudTowerError("CloudTower answered %s with HTTP %s and a body that is not JSON: %s"
                              % (operation, response.status_code, response.text[:200]), operation=operation, status=response.status_code)


def _error_from_response(response, operation):
    """A CloudTowerError from a non-2xx answer, with CloudTower's ErrorBody fields when there is one."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        text = (response.text or response.reason or "")[:200].strip()
        return CloudTowerError("CloudTower answered %s with HTTP %s: %s" % (operation, response.status_code, text),
                               operation=operation, status=response.status_code)
    api_message = body.get("message") or response.reason
    return CloudTowerError(
        "CloudTower answered %s with HTTP %s: %s" % (operation, response.status_code, api_message),
        operation=operation, status=response.status_code, code=body.get("code"), api_message=api_message,
        path=body.get("path"), props=body.get("props"))
