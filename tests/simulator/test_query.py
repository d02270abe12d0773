"""The where engine, orderBy and Prisma 1 paging: pure unit tests, then on the seeded data."""

import pytest

from simulator.query import QueryError, WhereCompiler, order, paginate

PEOPLE = {
    "p1": {"id": "p1", "name": "alpha", "age": 30, "team": {"id": "t1"}, "tags": [{"id": "g1"}, {"id": "g2"}], "nick": None},
    "p2": {"id": "p2", "name": "beta", "age": 20, "team": {"id": "t2"}, "tags": [{"id": "g2"}], "nick": "bee"},
    "p3": {"id": "p3", "name": "gamma", "age": 40, "team": None, "tags": [], "nick": None},
    "p4": {"id": "p4", "name": "alphabet", "age": 25, "team": {"id": "t1"}, "tags": [{"id": "g1"}], "nick": "ab"},
}
TEAMS = {"t1": {"id": "t1", "name": "red", "size": 5}, "t2": {"id": "t2", "name": "blue", "size": 1}}
TAGS = {"g1": {"id": "g1", "key": "env", "value": "prod"}, "g2": {"id": "g2", "key": "app", "value": "web"}}
TABLES = {"people": PEOPLE, "teams": TEAMS, "tags": TAGS}
FIELDS = {"people": {"id", "name", "age", "team", "tags", "nick"}, "teams": {"id", "name", "size"}, "tags": {"id", "key", "value"}}


def matching(where):
    compiler = WhereCompiler({"people": {"team": "teams", "tags": "tags"}},
                             lambda table, ref: TABLES.get(table, {}).get(ref["id"], ref), FIELDS)
    predicate = compiler.compile("people", where)
    return sorted(record["id"] for record in PEOPLE.values() if predicate(record))


@pytest.mark.parametrize("where, expected", [
    ({}, ["p1", "p2", "p3", "p4"]),
    ({"name": "alpha"}, ["p1"]),
    ({"name_not": "alpha"}, ["p2", "p3", "p4"]),
    ({"name_in": ["alpha", "gamma", "zeta"]}, ["p1", "p3"]),
    ({"name_not_in": ["alpha", "gamma"]}, ["p2", "p4"]),
    ({"name_contains": "ph"}, ["p1", "p4"]),
    ({"name_not_contains": "ph"}, ["p2", "p3"]),
    ({"name_starts_with": "alpha"}, ["p1", "p4"]),
    ({"name_not_starts_with": "alpha"}, ["p2", "p3"]),
    ({"name_ends_with": "a"}, ["p1", "p2", "p3"]),
    ({"name_not_ends_with": "a"}, ["p4"]),
    ({"age_lt": 25}, ["p2"]),
    ({"age_lte": 25}, ["p2", "p4"]),
    ({"age_gt": 30}, ["p3"]),
    ({"age_gte": 30}, ["p1", "p3"]),
    ({"name_gt": "beta"}, ["p3"]),
    ({"nick": None}, ["p1", "p3"]),
    ({"nick_not": None}, ["p2", "p4"]),
    ({"nick_contains": "b"}, ["p2", "p4"]),
    ({"age_gt": 20, "name_starts_with": "alpha"}, ["p1", "p4"]),
    ({"team": {"name": "red"}}, ["p1", "p4"]),
    ({"team": {"size_gt": 2, "name_in": ["red", "blue"]}}, ["p1", "p4"]),
    ({"team": None}, ["p3"]),
    ({"tags_some": {"key": "env", "value": "prod"}}, ["p1", "p4"]),
    ({"tags_every": {"key": "env"}}, ["p3", "p4"]),
    ({"tags_none": {"value": "web"}}, ["p3", "p4"]),
    ({"AND": [{"age_gt": 20}, {"age_lt": 40}]}, ["p1", "p4"]),
    ({"OR": [{"name": "beta"}, {"team": {"name": "red"}, "age_lt": 30}]}, ["p2", "p4"]),
    ({"NOT": [{"name_starts_with": "alpha"}, {"age": 40}]}, ["p2"]),
    ({"OR": []}, []),
    ({"AND": []}, ["p1", "p2", "p3", "p4"]),
    # NULLs as Prisma 1 writes them in SQL: `_in: null` / `[null]` is IS NULL, `_not_in: null` IS NOT NULL,
    # IN (...) and NOT IN (...) and != never match a NULL, NOT IN a list holding a null matches nothing
    ({"nick_in": None}, ["p1", "p3"]),
    ({"nick_in": [None]}, ["p1", "p3"]),
    ({"nick_not_in": None}, ["p2", "p4"]),
    ({"nick_not_in": [None]}, ["p2", "p4"]),
    ({"name_in": None}, []),
    ({"name_not_in": None}, ["p1", "p2", "p3", "p4"]),
    ({"nick_in": ["bee", None]}, ["p2"]),
    ({"nick_not_in": ["bee"]}, ["p4"]),
    ({"nick_not_in": ["bee", None]}, []),
    ({"nick_not": "bee"}, ["p4"]),
    ({"name_in": []}, []),
    ({"nick_not_in": []}, ["p1", "p2", "p3", "p4"]),
    ({"team": {"name_in": None}}, []),
    ({"name_in": "beta"}, ["p2"]),  # GraphQL coerces a single value to a list of one
])
def test_where_operators(where, expected):
    assert matching(where) == expected


def test_unmodelled_relation_matches_its_nested_copy():
    compiler = WhereCompiler({}, lambda table, ref: ref, {"vms": {"id", "folder"}})
    predicate = compiler.compile("vms", {"folder": {"name": "prod"}})
    assert predicate({"id": "a", "folder": {"id": "f", "name": "prod"}})
    assert not predicate({"id": "b", "folder": None})


ROWS = [{"id": "r%d" % number, "n": number} for number in range(1, 11)]  # r1..r10 in creation order


def ids(rows):
    return [row["id"] for row in rows]


@pytest.mark.parametrize("kwargs, expected", [
    ({}, ["r%d" % n for n in range(1, 11)]),
    ({"first": 3}, ["r1", "r2", "r3"]),
    ({"first": 0}, []),
    ({"skip": 8}, ["r9", "r10"]),
    ({"first": 2, "skip": 3}, ["r4", "r5"]),
    ({"last": 2}, ["r9", "r10"]),
    ({"last": 2, "skip": 1}, ["r8", "r9"]),
    ({"after": "r3"}, ["r%d" % n for n in range(4, 11)]),
    ({"after": "r3", "first": 2}, ["r4", "r5"]),
    ({"after": "r3", "skip": 1, "first": 2}, ["r5", "r6"]),
    ({"after": "r3", "last": 2}, ["r9", "r10"]),
    ({"before": "r4"}, ["r1", "r2", "r3"]),
    ({"before": "r8", "last": 2}, ["r6", "r7"]),
    ({"before": "r8", "last": 2, "skip": 1}, ["r5", "r6"]),
    ({"before": "r8", "first": 2}, ["r1", "r2"]),
    ({"after": "r2", "before": "r6"}, ["r3", "r4", "r5"]),
    ({"after": "r2", "before": "r6", "first": 1}, ["r3"]),
    ({"after": "r2", "before": "r6", "last": 1}, ["r5"]),
    ({"after": "r10"}, []),
    ({"before": "r1"}, []),
    ({"after": "nope"}, []),
    ({"first": 50, "skip": 9}, ["r10"]),
    ({"last": 5, "skip": 20}, []),
])
def test_prisma_paging(kwargs, expected):
    assert ids(paginate(ROWS, **kwargs)) == expected


@pytest.mark.parametrize("kwargs", [{"first": 1, "last": 1}, {"first": -1}, {"skip": -2}, {"last": -1}])
def test_paging_rejects_invalid_arguments(kwargs):
    with pytest.raises(QueryError):
        paginate(ROWS, **kwargs)


def test_order_by_is_stable_and_puts_nulls_last_when_ascending():
    rows = [{"id": "a", "v": 2}, {"id": "b", "v": None}, {"id": "c", "v": 1}, {"id": "d", "v": 2}]
    assert ids(order(rows, "v_ASC", {"id", "v"})) == ["c", "a", "d", "b"]
    assert ids(order(rows, "v_DESC", {"id", "v"})) == ["b", "a", "d", "c"]
    assert ids(order(rows, None, {"id", "v"})) == ["a", "b", "c", "d"]
    with pytest.raises(QueryError):
        order(rows, "w_ASC", {"id", "v"})


# on the seeded data, through the API layer ------------------------------------------------------

def test_relations_resolve_against_full_related_records(sim):
    elf1 = sim.ok("get-vms", {"where": {"cluster": {"name": "cluster-elf-1"}}})
    by_hypervisor = sim.ok("get-vms", {"where": {"cluster": {"hypervisor": "ELF", "name_ends_with": "-1"}}})
    assert elf1 and [vm["id"] for vm in elf1] == [vm["id"] for vm in by_hypervisor]
    vmware = sim.ok("get-vms", {"where": {"cluster": {"hypervisor": "VMWARE"}}})
    assert vmware and all(vm["cluster"]["name"] == "cluster-vmware-1" for vm in vmware)


def test_to_many_filters_on_nics_and_labels(sim):
    assert [vm["name"] for vm in sim.ok("get-vms", {"where": {"vm_nics_some": {"ip_address": "192.168.10.11"}}})] == ["web-1"]
    prod_web = sim.ok("get-vms", {"where": {"AND": [{"labels_some": {"key": "env", "value": "prod"}},
                                                    {"labels_some": {"key": "app", "value": "web"}}]}})
    assert "web-1" in [vm["name"] for vm in prod_web]
    for vm in prod_web:
        assert {"env": "prod", "app": "web"}.items() <= {label["key"]: label["value"] for label in vm["labels"]}.items()
    unlabelled = sim.ok("get-vms", {"where": {"labels_none": {}}})
    assert unlabelled and all(not vm["labels"] for vm in unlabelled)


def test_connection_counts_match_lists(sim):
    where = {"status": "RUNNING", "in_recycle_bin": False}
    assert sim.ok("get-vms-connection", {"where": where}) == {"aggregate": {"count": len(sim.ok("get-vms", {"where": where}))}}


def test_paging_through_seeded_vms_with_cursor_and_order(sim):
    everything = [vm["id"] for vm in sim.ok("get-vms", {"orderBy": "name_DESC"})]
    seen, cursor = [], None
    while True:
        body = {"orderBy": "name_DESC", "first": 7}
        if cursor:
            body["after"] = cursor
        page = sim.ok("get-vms", body)
        if not page:
            break
        seen += [vm["id"] for vm in page]
        cursor = page[-1]["id"]
    assert seen == everything
    names = [vm["name"] for vm in sim.ok("get-vms", {"orderBy": "name_DESC"})]
    assert names == sorted(names, reverse=True)


def test_query_errors_are_400(sim):
    status, body = sim.call("get-vms", {"first": 1, "last": 1})
    assert status == 400 and body["status"] == 400 and "first" in body["message"]


def test_null_in_filters_on_the_seeded_data(sim):
    total = sim.ok("get-vms-connection")["aggregate"]["count"]
    assert sim.ok("get-vms-connection", {"where": {"name_in": None}})["aggregate"]["count"] == 0
    assert sim.ok("get-vms-connection", {"where": {"name_not_in": None}})["aggregate"]["count"] == total
    never_stopped = sim.ok("get-vms", {"where": {"last_shutdown_time_in": None}})
    assert never_stopped and all(vm["last_shutdown_time"] is None for vm in never_stopped)
    nics = sim.ok("get-vm-nics", {"where": {"vm": {"name": "no-ip"}, "ip_address_not_in": None}})
    assert nics == []


def test_ids_sort_in_creation_order(sim):
    """Like real cuids, ids grow with creation time: the default order (creation) is id order, also for new records."""
    created = [vm["id"] for vm in sim.ok("get-vms")]
    assert created == sorted(created) == [vm["id"] for vm in sim.ok("get-vms", {"orderBy": "id_ASC"})]
    task = sim.ok("poweroff-vm", {"where": {"name": "web-1"}})[0]["task_id"]
    assert task > max(created)
