from modules.rest_api import Route, path_slug


def test_path_helpers():
    route = Route("items/{id}", ("GET", "PUT"), "crud")
    assert path_slug("items/{id}") == route.slug == "items_id"
    assert route.arn_path == "items/*"
    assert route.request_parameters() == {"method.request.header.X-Tenant-Id": False, "method.request.path.id": True}


def test_untenanted_routes_take_no_tenant_header():
    assert Route("health", ("GET",), "health", authorization="NONE", tenant_scoped=False).request_parameters() == {}
