"""The public region tree."""

from __future__ import annotations


def test_list_by_level_and_parent(api, demo):
    townships = api.get("/regions?level=township").get_json()
    assert townships["total"] == 4
    assert {t["name"] for t in townships["items"]} >= {"剑光街道", "白土镇"}
    assert all(t["level_name"] == "乡镇(街道)" for t in townships["items"])
    villages = api.get(f"/regions?parent_id={demo.township_a.id}").get_json()
    assert [v["name"] for v in villages["items"]] == ["龙津社区", "新城社区", "紫云社区"]
    assert all(v["parent_id"] == demo.township_a.id for v in villages["items"])
    grids = api.get(f"/regions?level=grid&parent_id={demo.village_a.id}").get_json()
    assert grids["total"] == 2
    assert grids["items"][0]["code"] == "360981001001G01"


def test_search_and_paging(api, demo):
    found = api.get("/regions?q=白土").get_json()
    assert {r["name"] for r in found["items"]} == {
        "白土镇",
        "白土村",
        "白土村第1网格",
        "白土村第2网格",
    }
    page = api.get("/regions?page_size=5&page=2").get_json()
    assert page["page"] == 2 and len(page["items"]) == 5 and page["total"] == 1 + 4 + 9 + 18


def test_detail_has_ancestors_and_children(api, demo):
    body = api.get(f"/regions/{demo.village_a.id}").get_json()
    assert body["name"] == "龙津社区" and body["level"] == "village"
    assert [a["name"] for a in body["ancestors"]] == ["丰城市", "剑光街道"]
    assert [c["level"] for c in body["children"]] == ["grid", "grid"]


def test_errors(api, demo):
    assert api.get("/regions/999999").get_json()["code"] == "region_not_found"
    assert api.get("/regions/999999").status_code == 404
    bad = api.get("/regions?level=planet")
    assert bad.status_code == 422 and "level" in bad.get_json()["errors"]
    unknown = api.get("/regions?color=red")
    assert unknown.status_code == 422 and "color" in unknown.get_json()["errors"]
    assert api.get("/regions?page_size=501").status_code == 422


def test_home_region_on_profile(api, demo, new_user):
    user = new_user("home")
    ok = api.patch("/me", user, json={"region_id": demo.village_b.id})
    assert ok.status_code == 200 and ok.get_json()["region_id"] == demo.village_b.id
    assert api.patch("/me", user, json={"region_id": 999999}).status_code == 404
