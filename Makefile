# smartx.cloudtower: development, test and build commands.
#
# Everything runs from a virtual environment that `make venv` creates with the
# machine's python3 (no other tool is assumed).  ansible-test needs the collection
# at ansible_collections/smartx/cloudtower/, so `make tree` copies the repository
# to $(TREE) and the ansible-test targets run there.
#
#   make test       changelog lint, action-group check, sanity, units, simulator tests,
#                   integration, galaxy build + install + ansible-doc   (.ci/run calls it)
#   make demo       the simulator + examples/demo.yml
#   make help       every target

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.NOTPARALLEL:
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
VENV_BIN := $(CURDIR)/$(VENV)/bin
VPY := $(VENV_BIN)/python
STAMP := $(VENV)/.installed

# the oldest ansible-core meta/runtime.yml accepts, in its own venv (make compat)
COMPAT_VENV := .venv-compat
COMPAT_BIN := $(CURDIR)/$(COMPAT_VENV)/bin
COMPAT_STAMP := $(COMPAT_VENV)/.installed
COMPAT_ENV := env PATH="$(COMPAT_BIN):$$PATH" PAGER=cat

BUILD := .build
TREE := $(BUILD)/ansible_collections/smartx/cloudtower
DIST := $(BUILD)/dist

# the Python version ansible-test tests with: the venv's (evaluated once the venv exists)
PYVER = $(shell $(VPY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# commands run with the venv first on PATH (ansible-test looks up python$(PYVER) and ansible there)
VENV_ENV := env PATH="$(VENV_BIN):$$PATH" PAGER=cat
ANSIBLE_TEST := $(VENV_ENV) $(VENV_BIN)/ansible-test
WITH_SIMULATOR := $(VPY) tools/with_simulator.py

DEMO_PLAYBOOK ?= examples/demo.yml
BENCH_ARGS ?=

# extra ansible-test options, for example: make sanity ANSIBLE_TEST_ARGS='--test pylint -v'
ANSIBLE_TEST_ARGS ?=

.PHONY: help venv get-pip tree changelog-lint action-groups sanity units simulator-tests \
	integration compat build galaxy-check test demo bench clean distclean

help: ## show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

# --- environment -----------------------------------------------------------------

venv: $(STAMP) ## create .venv and install requirements-dev.txt (again when it changes)

$(STAMP): requirements.txt requirements-dev.txt tests/unit/requirements.txt
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt
	touch $@

$(COMPAT_STAMP): requirements-compat.txt tests/unit/requirements.txt
	test -x $(COMPAT_BIN)/python || $(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements-compat.txt
	touch $@

get-pip: $(STAMP) ## install the offline get-pip stand-in into ansible-test's cache
	$(VPY) tools/install_get_pip.py $(PYVER)

tree: $(STAMP) ## copy the collection to .build/ansible_collections/smartx/cloudtower
	$(VPY) tools/sync_tree.py $(TREE)

# --- checks ----------------------------------------------------------------------

changelog-lint: $(STAMP) ## antsibull-changelog lint (fragments and changelog.yaml)
	$(VENV_BIN)/antsibull-changelog lint

action-groups: $(STAMP) ## every module is in meta/runtime.yml action_groups.cloudtower, and only modules
	$(VPY) tools/check_action_groups.py

sanity: get-pip tree ## ansible-test sanity (all default tests, no ignore files)
	cd $(TREE) && $(ANSIBLE_TEST) sanity --python $(PYVER) $(ANSIBLE_TEST_ARGS)

units: tree ## ansible-test units, in .venv
	@if [ -z "$$(find tests/unit -name 'test_*.py' -print -quit 2>/dev/null)" ]; then \
		echo "units: no tests under tests/unit: skipped"; \
	else \
		cd $(TREE) && $(ANSIBLE_TEST) units --python $(PYVER) $(ANSIBLE_TEST_ARGS); \
	fi

simulator-tests: $(STAMP) ## pytest tests/simulator (the simulator's own tests)
	@if [ -z "$$(find tests/simulator -name 'test_*.py' -print -quit 2>/dev/null)" ]; then \
		echo "simulator-tests: no tests under tests/simulator: skipped"; \
	else \
		$(VPY) -m pytest tests/simulator; \
	fi

integration: tree ## ansible-test integration against the simulator
	@if [ -z "$$(find tests/integration/targets -mindepth 1 -maxdepth 1 -type d -print -quit 2>/dev/null)" ]; then \
		echo "integration: no targets under tests/integration/targets: skipped"; \
	else \
		$(WITH_SIMULATOR) -- $(VENV_ENV) bash -c '\
			$(VPY) tools/integration_config.py $(TREE)/tests/integration/integration_config.yml && \
			cd $(TREE) && ansible-test integration --python $(PYVER) --local $(ANSIBLE_TEST_ARGS)'; \
	fi

# The same unit tests and integration targets with the oldest ansible-core of requires_ansible (.venv-compat);
# the simulator and the config writer still run in .venv. Sanity runs once, with the pinned ansible-core.
compat: $(COMPAT_STAMP) tree ## units and integration with ansible-core 2.16 (the oldest requires_ansible accepts)
	cd $(TREE) && $(COMPAT_ENV) $(COMPAT_BIN)/ansible-test units --python $(PYVER) $(ANSIBLE_TEST_ARGS)
	$(WITH_SIMULATOR) -- $(COMPAT_ENV) bash -c '\
		$(VPY) tools/integration_config.py $(TREE)/tests/integration/integration_config.yml && \
		cd $(TREE) && ansible-test integration --python $(PYVER) --local $(ANSIBLE_TEST_ARGS)'

build: $(STAMP) ## ansible-galaxy collection build into .build/dist
	rm -rf $(DIST)
	$(VENV_ENV) $(VENV_BIN)/ansible-galaxy collection build --output-path $(DIST) .

galaxy-check: build ## install the built artifact into a temporary directory; ansible-doc shows vm_info
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(VENV_ENV) $(VENV_BIN)/ansible-galaxy collection install --force -p "$$tmp" $(DIST)/smartx-cloudtower-*.tar.gz && \
	$(VENV_ENV) ANSIBLE_COLLECTIONS_PATH="$$tmp" $(VENV_BIN)/ansible-doc smartx.cloudtower.vm_info > "$$tmp/vm_info.txt" && \
	grep -q 'smartx.cloudtower.vm_info' "$$tmp/vm_info.txt" && grep -q 'OPTIONS' "$$tmp/vm_info.txt" && \
	$(VENV_ENV) ANSIBLE_COLLECTIONS_PATH="$$tmp" $(VENV_BIN)/ansible-doc --list smartx.cloudtower && \
	head -n 5 "$$tmp/vm_info.txt" && echo "galaxy-check: the artifact installs and ansible-doc shows smartx.cloudtower.vm_info"

TEST_STEPS := changelog-lint action-groups sanity units simulator-tests integration compat galaxy-check

test: $(STAMP) ## everything CI runs: every step runs, then a summary; fails if one failed
	@passed=0; failed=0; summary=""; \
	for step in $(TEST_STEPS); do \
		start=$$SECONDS; \
		echo "=== make $$step"; \
		if $(MAKE) --no-print-directory $$step; then result=passed; passed=$$((passed + 1)); \
		else result=FAILED; failed=$$((failed + 1)); fi; \
		summary="$$summary$$(printf '  %-16s %-7s %4d s' $$step $$result $$((SECONDS - start)))\n"; \
	done; \
	printf '=== make test summary\n%b' "$$summary"; \
	echo "steps: $$passed passed, $$failed failed"; \
	test $$failed -eq 0

# --- running the collection ------------------------------------------------------

demo: tree ## start the simulator and run examples/demo.yml (DEMO_PLAYBOOK=... for another)
	$(WITH_SIMULATOR) -- $(VENV_ENV) ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(BUILD) ANSIBLE_PYTHON_INTERPRETER=$(VPY) \
		CLOUDTOWER_VALIDATE_CERTS=false $(VENV_BIN)/ansible-playbook $(DEMO_PLAYBOOK)

# bench/run.py starts its own simulator for each size (--vms N), so it does not run under with_simulator.py
bench: tree ## run bench/run.py (BENCH_ARGS='--sizes 1000' for a short run)
	@if [ ! -f bench/run.py ]; then \
		echo "bench: no bench/run.py: skipped"; \
	else \
		$(VENV_ENV) ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(BUILD) $(VPY) bench/run.py $(BENCH_ARGS); \
	fi

clean: ## remove .build, test output and caches (keeps .venv)
	rm -rf $(BUILD) tests/output tests/integration/integration_config.yml changelogs/.plugin-cache.yaml .pytest_cache
	find . \( -path ./$(VENV) -o -path ./$(COMPAT_VENV) \) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## clean, and remove .venv and .venv-compat
	rm -rf $(VENV) $(COMPAT_VENV)
