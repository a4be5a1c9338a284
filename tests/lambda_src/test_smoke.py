from tests.lambda_src.conftest import published


def test_create_and_get(api, aws):
    created = api("POST", "/items", body={"name": "widget", "price": 1.1})
    assert created.status == 201, created.raw
    item = created.json
    fetched = api("GET", f"/items/{item['item_id']}")
    assert fetched.status == 200, fetched.raw
    assert fetched.raw == created.raw
    print(created.headers)
