"""Health, OpenAPI, error envelope."""

from __future__ import annotations


def test_health_reports_database(api):
    response = api.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["version"]


def test_health_reports_redis_when_configured(app):
    from backend import create_app

    other = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL="redis://127.0.0.1:6379/15",
    )
    body = other.test_client().get("/api/v1/health").get_json()
    assert body["redis"] == "ok"
    broken = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL="redis://127.0.0.1:1/0",
        RATELIMIT_STORAGE_URI="memory://",
    )
    response = broken.test_client().get("/api/v1/health")
    assert response.status_code == 200  # the API still serves without Redis: degraded
    assert response.get_json()["redis"] == "error"
    assert response.get_json()["status"] == "degraded"


def test_openapi_spec_lists_every_route(app, api):
    spec = api.get("/openapi.json").get_json()
    paths = spec["paths"]
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs"):
            continue
        openapi_path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        assert openapi_path in paths, rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = paths[openapi_path][method.lower()]
            assert operation.get("summary"), f"{method} {rule.rule} has no docstring summary"
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    assert spec["security"] == [{"bearerAuth": []}]
    # public routes say so; protected ones inherit the global bearer requirement
    assert paths["/api/v1/health"]["get"]["security"] == []
    assert paths["/api/v1/auth/wechat"]["post"]["security"] == []
    assert "security" not in paths["/api/v1/me"]["get"]


def test_docs_page_is_served_with_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"/docs-assets/swagger-ui-bundle.js" in response.data
    asset = client.get("/docs-assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000


def test_unknown_route_is_enveloped_404(api):
    response = api.get("/no-such-thing")
    assert response.status_code == 404
    assert response.get_json() == {"code": "not_found", "message": "资源不存在"}


def test_wrong_method_is_enveloped_405(api):
    response = api.call("PUT", "/health")
    assert response.status_code == 405
    assert response.get_json()["code"] == "method_not_allowed"


def test_protected_route_without_token_is_401(api):
    response = api.get("/me")
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"
    assert response.get_json()["message"] == "请先登录"


def test_garbage_token_is_401(api):
    response = api.get("/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.get_json()["code"] == "token_invalid"


def test_expired_token_is_401(app, api, new_user):
    from backend.auth import issue_token

    user = new_user("old")
    app.config["TOKEN_TTL_SECONDS"] = -10
    try:
        token, _ = issue_token(user)
    finally:
        app.config["TOKEN_TTL_SECONDS"] = 7 * 24 * 3600
    response = api.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.get_json()["code"] == "token_expired"


def test_500_does_not_leak_a_stack_trace(app, api):
    from flask_smorest import Blueprint

    # A route that crashes, registered on a throwaway app sharing the config.
    from backend import create_app

    other = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    boom = Blueprint("boom", __name__)

    @boom.route("/api/v1/boom")
    def crash():
        raise RuntimeError("secret internals")

    crash._public = True
    other.register_blueprint(boom)
    response = other.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    body = response.get_json()
    assert body == {"code": "internal_error", "message": "服务器内部错误,请稍后再试"}
    assert "secret internals" not in response.get_data(as_text=True)


def test_production_refuses_default_secrets(monkeypatch):
    import importlib

    import pytest

    import config

    monkeypatch.setenv("APP_ENV", "production")
    for name in (
        "SECRET_KEY",
        "DATA_ENCRYPTION_KEY",
        "WECHAT_APPID",
        "WECHAT_SECRET",
        "DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    fresh = importlib.reload(config)
    try:
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            fresh.ProductionConfig.validate()
        monkeypatch.setenv("SECRET_KEY", "x" * 40)
        monkeypatch.setenv("DATA_ENCRYPTION_KEY", "k" * 44)
        monkeypatch.setenv("WECHAT_APPID", "wx123")
        monkeypatch.setenv("WECHAT_SECRET", "s3cret")
        monkeypatch.setenv("DATABASE_URL", "mysql+pymysql://u:p@db/alliance?charset=utf8mb4")
        fresh = importlib.reload(config)
        fresh.ProductionConfig.validate()  # complete configuration passes
    finally:
        monkeypatch.undo()
        importlib.reload(config)
