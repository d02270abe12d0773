# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The client against HTTP mocked at the transport with ``responses``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import requests
import responses

from ansible_collections.smartx.cloudtower.plugins.module_utils import client as client_module
from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerClient, CloudTowerError, base_url_from_host

API = "https://tower.example.com/v2/api"


@pytest.fixture(autouse=True)
def no_retry_sleep(monkeypatch):
    monkeypatch.setattr(client_module.time, "sleep", lambda seconds: None)


@pytest.fixture
def api():
    with responses.RequestsMock() as mock:
        yield mock


def login_ok(api, token="tok-1"):
    api.add(responses.POST, API + "/login", json={"task_id": None, "data": {"token": token}})


def make_client(**kwargs):
    options = dict(host="tower.example.com", username="admin", password="secret")
    options.update(kwargs)
    return CloudTowerClient(**options)


@pytest.mark.parametrize("host, url", [
    ("tower", "https://tower/v2/api"),
    ("tower:8443", "https://tower:8443/v2/api"),
    ("http://tower", "http://tower/v2/api"),
    ("https://tower/", "https://tower/v2/api"),
    ("https://tower/v2/api", "https://tower/v2/api"),
    ("HTTP://Tower:80/v2/api/", "HTTP://Tower:80/v2/api"),
])
def test_base_url_from_host(host, url):
    assert base_url_from_host(host) == url


@pytest.mark.parametrize("host", ["", "ftp://tower"])
def test_base_url_rejects_bad_hosts(host):
    with pytest.raises(CloudTowerError):
        base_url_from_host(host)


def test_login_sends_source_and_token_goes_in_authorization(api):
    login_ok(api)
    api.add(responses.POST, API + "/get-vms", json=[{"id": "v1"}])
    client = make_client(user_source="LDAP")
    assert client.call("get-vms", {"where": {}}) == [{"id": "v1"}]
    login_body = json.loads(api.calls[0].request.body)
    assert login_body == {"username": "admin", "password": "secret", "source": "LDAP"}
    assert "Authorization" not in api.calls[0].request.headers
    assert api.calls[1].request.headers["Authorization"] == "tok-1"
    assert api.calls[1].request.headers["content-language"] == "en-US"


def test_login_happens_once_for_many_calls(api):
    login_ok(api)
    api.add(responses.POST, API + "/get-vms", json=[])
    client = make_client()
    for dummy in range(3):
        client.call("get-vms", {})
    assert [call.request.url.rsplit("/", 1)[1] for call in api.calls] == ["login", "get-vms", "get-vms", "get-vms"]


def test_given_token_skips_login(api):
    api.add(responses.POST, API + "/get-alerts", json=[])
    client = CloudTowerClient(host="tower.example.com", token="given", language="zh-CN")
    client.call("get-alerts", {})
    assert len(api.calls) == 1
    assert api.calls[0].request.headers["Authorization"] == "given"
    assert api.calls[0].request.headers["content-language"] == "zh-CN"


def test_rejected_login_names_user_and_cloudtower_message(api):
    api.add(responses.POST, API + "/login", status=400, json={"path": "/login", "status": 400, "message": "username or password is wrong"})
    client = make_client()
    with pytest.raises(CloudTowerError) as info:
        client.call("get-vms", {})
    assert "rejected the login for user admin" in info.value.message
    assert "username or password is wrong" in info.value.message
    assert "secret" not in info.value.message
    assert info.value.status == 400


def test_rejected_token_is_reported_without_relogin(api):
    api.add(responses.POST, API + "/get-vms", status=401, json={"path": "/get-vms", "status": 401, "message": "invalid token"})
    client = CloudTowerClient(host="tower.example.com", token="stale")
    with pytest.raises(CloudTowerError) as info:
        client.call("get-vms", {})
    assert "rejected the given token" in info.value.message
    assert len(api.calls) == 1


def test_revoked_session_logs_in_again_once(api):
    login_ok(api, "first")
    api.add(responses.POST, API + "/get-vms", status=401, json={"path": "/get-vms", "status": 401, "message": "invalid token"})
    login_ok(api, "second")
    api.add(responses.POST, API + "/get-vms", json=[{"id": "v1"}])
    client = make_client()
    assert client.call("get-vms", {}) == [{"id": "v1"}]
    assert api.calls[3].request.headers["Authorization"] == "second"


def test_error_body_fields_are_kept(api):
    login_ok(api)
    body = {"path": "/start-vm", "status": 400, "message": "Resource [VM-c1] locked", "props": {"locked_resources": [{"id": "c1", "type": "VM"}]},
            "code": "ResourceLocked"}
    api.add(responses.POST, API + "/start-vm", status=400, json=body)
    client = make_client()
    with pytest.raises(CloudTowerError) as info:
        client.call("start-vm", {"where": {"id": "c1"}})
    error = info.value
    assert error.is_resource_locked
    assert (error.status, error.code, error.api_message) == (400, "ResourceLocked", "Resource [VM-c1] locked")
    assert (error.path, error.operation) == ("/start-vm", "start-vm")
    assert error.props == body["props"]


def test_reads_are_retried_on_gateway_errors(api):
    login_ok(api)
    api.add(responses.POST, API + "/get-vms", status=503, body="<html>Service Unavailable</html>")
    api.add(responses.POST, API + "/get-vms", json=[{"id": "v1"}])
    assert make_client().call("get-vms", {}) == [{"id": "v1"}]


def test_mutations_are_never_retried(api):
    login_ok(api)
    api.add(responses.POST, API + "/start-vm", status=503, body="<html>Service Unavailable</html>")
    with pytest.raises(CloudTowerError) as info:
        make_client().call("start-vm", {"where": {"id": "c1"}})
    assert info.value.status == 503
    assert "Service Unavailable" in info.value.message
    assert len([call for call in api.calls if call.request.url.endswith("/start-vm")]) == 1


def test_reads_give_up_after_the_retries(api):
    login_ok(api)
    for dummy in range(client_module.READ_RETRIES + 1):
        api.add(responses.POST, API + "/get-vms", status=502, body="bad gateway")
    with pytest.raises(CloudTowerError) as info:
        make_client().call("get-vms", {})
    assert info.value.status == 502


def test_connection_failure_names_host_and_cause(api):
    api.add(responses.POST, API + "/login", body=requests.exceptions.ConnectionError("Connection refused"))
    api.add(responses.POST, API + "/login", body=requests.exceptions.ConnectionError("Connection refused"))
    api.add(responses.POST, API + "/login", body=requests.exceptions.ConnectionError("Connection refused"))
    with pytest.raises(CloudTowerError) as info:
        make_client().call("get-vms", {})
    assert API in info.value.message
    assert "Connection refused" in info.value.message


def test_certificate_failure_points_to_validate_certs_and_ca_path(api):
    api.add(responses.POST, API + "/login", body=requests.exceptions.SSLError("certificate verify failed: self-signed certificate"))
    with pytest.raises(CloudTowerError) as info:
        make_client().call("get-vms", {})
    assert "certificate verify failed" in info.value.message
    assert "ca_path" in info.value.message and "validate_certs" in info.value.message


def test_non_json_success_is_an_error(api):
    login_ok(api)
    api.add(responses.POST, API + "/get-vms", body="<html>oops</html>")
    with pytest.raises(CloudTowerError) as info:
        make_client().call("get-vms", {})
    assert "not JSON" in info.value.message


@pytest.mark.parametrize("validate_certs, ca_path, verify", [(True, None, True), (True, "/ca.pem", "/ca.pem"), (False, "/ca.pem", False)])
def test_tls_options_are_sent_with_every_request(api, monkeypatch, validate_certs, ca_path, verify):
    # An environment bundle must not override an explicit CA path or a switched-off check.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/env/bundle.pem")
    sent = []
    client = make_client(validate_certs=validate_certs, ca_path=ca_path, token="t")
    original = client.session.request

    def spy(*args, **kwargs):
        sent.append(kwargs["verify"])
        return original(*args, **kwargs)

    monkeypatch.setattr(client.session, "request", spy)
    api.add(responses.POST, API + "/get-vms", json=[])
    client.call("get-vms", {})
    assert sent == [verify]


@pytest.mark.parametrize("options, text", [
    (dict(language="fr-FR"), "Unsupported language 'fr-FR'"),
    (dict(user_source="SSO"), "Unsupported user_source"),
    (dict(username=None), "No CloudTower credentials"),
])
def test_bad_options_are_refused_before_any_call(api, options, text):
    with pytest.raises(CloudTowerError) as info:
        make_client(**options)
    assert text in info.value.message
    assert len(api.calls) == 0


def test_paging_fetches_every_page_with_first_and_skip(api):
    login_ok(api)
    records = [{"id": "v%d" % index} for index in range(5)]

    def page(request):
        body = json.loads(request.body)
        return 200, {}, json.dumps(records[body["skip"]:body["skip"] + body["first"]])

    api.add_callback(responses.POST, API + "/get-vms", callback=page)
    client = make_client()
    assert client.list_records("vms", where={"status": "RUNNING"}, order_by="name_ASC", page_size=2) == records
    bodies = [json.loads(call.request.body) for call in api.calls[1:]]
    assert bodies == [
        {"where": {"status": "RUNNING"}, "first": 2, "skip": 0, "orderBy": "name_ASC"},
        {"where": {"status": "RUNNING"}, "first": 2, "skip": 2, "orderBy": "name_ASC"},
        {"where": {"status": "RUNNING"}, "first": 2, "skip": 4, "orderBy": "name_ASC"},
    ]


def test_paging_with_a_limit_asks_for_no_more(api):
    login_ok(api)
    api.add(responses.POST, API + "/get-vms", json=[{"id": "a"}, {"id": "b"}])
    api.add(responses.POST, API + "/get-vms", json=[{"id": "c"}])
    assert [vm["id"] for vm in make_client().list_records("vms", page_size=2, limit=3)] == ["a", "b", "c"]
    assert json.loads(api.calls[2].request.body)["first"] == 1


def test_count_reads_the_aggregate(api):
    login_ok(api)
    api.add(responses.POST, API + "/get-vms-connection", json={"aggregate": {"count": 42}})
    assert make_client().count("vms", {"status": "RUNNING"}) == 42
    assert json.loads(api.calls[1].request.body) == {"where": {"status": "RUNNING"}}


def test_get_version_needs_no_login(api):
    api.add(responses.GET, API + "/get-version", json="4.8.0")
    assert make_client().get_version() == "4.8.0"
    assert len(api.calls) == 1


@pytest.mark.parametrize("options, text", [(dict(limit=-1), "limit must be 0 or more"), (dict(page_size=0), "page_size must be at least 1")])
def test_paging_refuses_bad_sizes_before_any_call(api, options, text):
    with pytest.raises(CloudTowerError) as info:
        make_client(token="t").list_records("vms", **options)
    assert text in info.value.message
    assert len(api.calls) == 0
