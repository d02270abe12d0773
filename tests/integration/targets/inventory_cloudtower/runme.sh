#!/usr/bin/env bash
# The inventory plugin against the simulator: each scenario renders a config file (setup.yml), parses it with
# ansible-playbook -i / ansible-inventory, and checks the hosts, variables, groups and the simulator's request log.
# ansible-test runs this with the target directory as the working directory; integration_config.yml holds
# cloudtower_host, cloudtower_username, cloudtower_password, cloudtower_validate_certs and sim_url.
set -eux

CONFIG="${INTEGRATION_CONFIG:-../../integration_config.yml}"
OUTPUT_DIR="${OUTPUT_DIR:-$(mktemp -d)}"
export OUTPUT_DIR
# with a config file, a source that fails must fail the run, so that a broken plugin cannot pass as an empty inventory
# (not for the plays without -i, which run on the implicit localhost)
failing=(env ANSIBLE_INVENTORY_UNPARSED_FAILED=true ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true)

extra=(-e "@${CONFIG}" -e "output_dir=${OUTPUT_DIR}" "$@")

# reset the simulator, write the config files, clear the request log
ansible-playbook setup.yml "${extra[@]}"

check() {
    # check <scenario> [config [ansible-playbook options]]: parse the scenario's config as the play's inventory,
    # then run tasks/<scenario>.yml
    local scenario="$1" config="${2:-$1}"
    shift $(( $# < 2 ? $# : 2 ))
    "${failing[@]}" ansible-playbook -i "${OUTPUT_DIR}/${config}.cloudtower.yml" check.yml -e "scenario=${scenario}" "$@" "${extra[@]}"
}

# default settings; duplicates warn and get a suffix
"${failing[@]}" ansible-inventory -i "${OUTPUT_DIR}/default.cloudtower.yml" --list > "${OUTPUT_DIR}/default.json" 2> "${OUTPUT_DIR}/default.err"
grep -q "have the same hostname 'dup-name'" "${OUTPUT_DIR}/default.err"
ansible-playbook clear_log.yml "${extra[@]}"
check default

check hostnames
check filters
check include_exclude
check exclusions_off
check paging
check paging_concurrent

# the first run with the cache fetches and writes the cache; the second reads it, makes no API call,
# and applies the new compose (setup_cache.yml rewrites the same file, the cache key being its path)
check cache_miss cache
ansible-playbook setup_cache.yml "${extra[@]}"
check cache_hit cache
# with the cache disabled per run (--flush-cache; ansible-playbook has it on every ansible-core), it fetches again
check cache_flushed cache --flush-cache

# strict: duplicate hostnames fail the inventory with a message that names them
if "${failing[@]}" ansible-inventory -i "${OUTPUT_DIR}/strict.cloudtower.yml" --list > /dev/null 2> "${OUTPUT_DIR}/strict.err"; then
    echo "strict inventory with duplicate hostnames did not fail" >&2
    exit 1
fi
grep -q "have the same hostname 'dup-name'" "${OUTPUT_DIR}/strict.err"

# credentials from the CLOUDTOWER_* environment (as an AWX credential type injects them)
check environment default

# Jinja in a VM's description and guest hostname stays text (last: it changes web-1)
ansible-playbook setup_untrusted.yml "${extra[@]}"
check untrusted
