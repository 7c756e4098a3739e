from apiparity.redact import REDACTED, Redaction, secret_values


def test_an_authorization_scheme_stays_visible_in_free_text() -> None:
    policy = Redaction.build(headers=[("Authorization", "Bearer s3cr3t-token-value")])
    line = "curl -H 'Authorization: Bearer s3cr3t-token-value' http://127.0.0.1:8000/books"
    shown = policy.text(line)
    assert "s3cr3t-token-value" not in shown
    assert f"Bearer {REDACTED}" in shown


def test_a_non_auth_header_value_is_secret_whole() -> None:
    assert "abc defghijklmnop" in secret_values("x-api-key", "abc defghijklmnop")


def test_an_environment_reference_is_not_a_secret_but_its_sibling_values_are() -> None:
    shown = Redaction.build().body({"old_auth": {"password": "${OLD_PASSWORD}", "token": "hunter2hunter2"}})
    assert shown == {"old_auth": {"password": "${OLD_PASSWORD}", "token": REDACTED}}


def test_a_scheme_name_under_a_sensitive_setting_is_not_learned_as_a_secret() -> None:
    policy = Redaction.build()
    policy.body({"old_auth": {"prefix": "Bearer", "token": "learned-token-123"}})
    shown = policy.text("-H 'Authorization: Bearer learned-token-123'")
    assert shown == f"-H 'Authorization: Bearer {REDACTED}'"
