"""The CRUD function's AWS clients: built on first use and then kept, or at init under provisioned
concurrency (`items_api.clients`), with the same answers either way."""

from tests.lambda_src.conftest import Api, load_handler

BUILT = ("item_table", "grants_table", "events", "secrets")


def built(module) -> set[str]:
    """The clients a handler module has built so far (a `cached_property` lands in `__dict__`)."""
    return set(BUILT) & set(vars(module.clients))


def test_import_builds_no_client(api):
    assert built(api.module) == set()


def test_a_request_refused_before_the_grant_check_builds_none(api):
    assert api("GET", "/items", tenant="bad tenant!").status == 400
    assert built(api.module) == set()


def test_each_client_is_built_when_a_request_first_needs_it_then_kept(api):
    assert api("GET", "/items", tenant="tenant-a").status == 200
    assert built(api.module) == {"item_table", "grants_table"}
    table = api.module.clients.item_table
    assert api("POST", "/items", tenant="tenant-a", body={"name": "a"}).status == 201
    assert built(api.module) == {"item_table", "grants_table", "events"}
    assert api.module.clients.item_table is table
    assert api.module.store._table is table
    assert api.module.events._client is api.module.clients.events
    assert api.module.grants._table is api.module.clients.grants_table
    assert api.module.keys._client is api.module.clients.secrets
    assert built(api.module) == set(BUILT)


def test_provisioned_concurrency_init_builds_every_client(aws, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency")
    api = Api(load_handler("crud", "crud_handler"))
    assert built(api.module) == set(BUILT)
    created = api("POST", "/items", tenant="tenant-a", body={"name": "a"})
    assert created.status == 201
    assert api("GET", f"/items/{created.json['item_id']}", tenant="tenant-a").json["name"] == "a"


def test_on_demand_init_builds_none(aws, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
    assert built(load_handler("crud", "crud_handler")) == set()
