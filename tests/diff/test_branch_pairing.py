"""oneOf/anyOf branches are paired by what they are, never by a title several branches share.

A shared property's listed values (a `type` discriminator) pair a branch with its counterpart and
keep it from an unrelated one; the component name, then a title no other branch has, then
similarity follow. A branch with no counterpart is removed, judged by the witness search.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from apiparity.model import DiffResult

from .helpers import document, ok, run

TITLE = "Stored Payment Method"
STORED_OLD = ["bcmc_mobile", "bcmc_mobile_QR", "bcmc_mobile_app", "momo_wallet", "momo_wallet_app", "paymaya_wallet",
              "grabpay_SG", "grabpay_MY", "grabpay_TH", "grabpay_ID", "grabpay_VN", "grabpay_PH", "oxxo", "gcash",
              "dana", "kakaopay", "truemoney"]
STORED_NEW = ["alipay_plus", "alipay_plus_dana", *STORED_OLD, "paysafecard"]


def method(values: list[str], *extra: str, required: bool = False, title: str = TITLE, **more: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "title": title, "type": "object", "additionalProperties": False,
        "properties": {"type": {"type": "string", "enum": values, **more},
                       "storedPaymentMethodId": {"type": "string", "maxLength": 64},
                       **{name: {"type": "string"} for name in extra}},
    }
    if required:
        schema["required"] = ["type"]
    return schema


def pay(branches: list[str], components: dict[str, Any], *, required: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "object", "properties": {
        "amount": {"type": "integer"},
        "paymentMethod": {"oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in branches]}}}
    if required:
        body["required"] = required
    op = {"requestBody": {"required": True, "content": {"application/json": {"schema": body}}}, "responses": {"200": ok()}}
    return document({"/payments": {"post": op}}, {"schemas": components})


def findings(result: DiffResult) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for change in result.changes:
        out.setdefault(change.rule_id, []).append(change)
    return out


def test_branches_sharing_a_title_pair_by_their_discriminating_values() -> None:
    old = pay(["Stored"], {"Stored": method(["wallet_a", "wallet_b"], required=True)})
    new = pay(["Pix", "Stored"], {"Pix": method(["pix"], required=True),
                                  "Stored": method(["wallet_a", "wallet_b", "wallet_c"], "sdkData", required=True)})
    result = run(old, new)
    by_rule = findings(result)
    assert "request-body-enum-value-removed" not in by_rule  # OLD Stored was paired with NEW Pix
    assert [c.new_value for c in by_rule["request-body-enum-value-added"]] == [["wallet_c"]]
    assert len(by_rule["request-body-one-of-branch-added"]) == 1
    assert not [c for c in result.changes if c.severity == "breaking"]


def test_reduced_adyen_pair_keeps_every_value_and_only_the_real_overlap_breaks() -> None:
    old = pay(["StoredPaymentMethodDetails"], {"StoredPaymentMethodDetails": method(STORED_OLD, "checkoutAttemptId")})
    new = pay(["PixPayByBankDetails", "StoredPaymentMethodDetails"], {
        "PixPayByBankDetails": method(["paybybank_pix"], "checkoutAttemptId", "deviceId", "issuer", "sdkData",
                                      default="paybybank_pix"),
        "StoredPaymentMethodDetails": method(STORED_NEW, "checkoutAttemptId", "sdkData"),
    })
    result = run(old, new)
    by_rule = findings(result)
    assert "request-body-enum-value-removed" not in by_rule
    assert "request-body-default-added" not in by_rule  # Pix's default is no change of Stored's
    assert sorted(by_rule["request-body-enum-value-added"][0].new_value) == sorted(set(STORED_NEW) - set(STORED_OLD))
    # the one breaking finding is real: NEW's branches require nothing, so `{}` matches both
    assert [c.rule_id for c in result.changes if c.severity == "breaking"] == ["request-body-one-of-overlap"]
    # and the truth it is checked against: every OLD value is still accepted by NEW
    validator = jsonschema.Draft202012Validator({**new["paths"]["/payments"]["post"]["requestBody"]["content"]["application/json"]["schema"],
                                                 "components": new["components"]})
    assert all(validator.is_valid({"paymentMethod": {"type": value}}) for value in STORED_OLD)


def test_a_branch_with_no_counterpart_is_removed_and_witnessed_not_diffed_against_another() -> None:
    old = pay(["Giropay", "Card"], {"Giropay": method(["giropay"], required=True, title="Giropay", default="giropay"),
                                    "Card": method(["scheme"], "number", required=True, title="Card")})
    new = pay(["DirectDebitAu", "Card"], {
        "DirectDebitAu": method(["directdebit_AU"], required=True, title="Direct Debit AU", default="directdebit_AU"),
        "Card": method(["scheme"], "number", required=True, title="Card")})
    result = run(old, new)
    by_rule = findings(result)
    assert "request-body-default-changed" not in by_rule  # 'giropay' -> 'directdebit_AU' paired two methods
    assert "request-body-enum-value-removed" not in by_rule
    [removed] = by_rule["request-body-one-of-branch-removed"]
    assert removed.severity == "breaking"
    assert removed.witness is not None and removed.witness.verdict == "witnessed"
    instance = removed.witness.instance
    assert "giropay" in json.dumps(instance)
    assert len(by_rule["request-body-one-of-branch-added"]) == 1


def test_the_same_component_pairs_even_when_its_values_were_replaced() -> None:
    old = pay(["Giropay", "Card"], {"Giropay": method(["giropay"], required=True, title="Bank"),
                                    "Card": method(["scheme"], "number", required=True, title="Card")})
    new = pay(["Giropay", "Card"], {"Giropay": method(["giropay_v2"], required=True, title="Bank"),
                                    "Card": method(["scheme"], "number", required=True, title="Card")})
    by_rule = findings(run(old, new))
    assert "request-body-one-of-branch-removed" not in by_rule
    assert [c.old_value for c in by_rule["request-body-enum-value-removed"]] == [["giropay"]]
