"""The real catalogue: it loads, it covers the plan, and every rule judges answers correctly."""

import pytest

from gasguard.rules.catalog import get_catalog, load_catalog
from gasguard.rules.checklists import checklist_named, is_hazard, parse_answer
from gasguard.rules.choices import SeverityChoices

CATALOG = load_catalog()
RULES = list(CATALOG.rules.values())

# Ids other apps rely on (registry findings, inspections, cylinders / 随瓶安检).
STABLE_IDS = {
    "reg_unlicensed_role",
    "reg_licence_lapsed",
    "reg_principal_unassessed",
    "reg_safety_manager_unassessed",
    "reg_too_few_safety_managers",
    "reg_filling_operator_uncertified",
    "rest_hose_over_2m",
    "rest_storage_over_100kg_no_room",
    "rest_hose_tee",
    "rest_detector_shutoff_missing",
    "rest_lpg_underground",
    "rest_two_phase_50kg_cylinder",
}


def test_real_catalogue_loads_with_a_content_hash_version():
    assert len(CATALOG.rules) >= 120
    assert len(CATALOG.version) == 12 and int(CATALOG.version, 16) >= 0
    assert get_catalog().version == load_catalog().version  # deterministic
    assert STABLE_IDS <= set(CATALOG.rules)


def test_every_domain_section_10_id_of_the_plan_sections_is_present():
    expected = {
        # 二(一)
        "op_unlicensed_operation", "op_license_conditions_lapsed", "op_not_operating_per_license",
        "op_full_staff_responsibility_missing", "op_safety_managers_insufficient", "op_principal_untrained",
        "op_delivery_rules_missing", "op_pipeline_patrol_missing", "op_pipeline_gas_not_odorized",
        "op_user_indoor_inspection_missing", "op_user_safety_notice_missing", "op_no_cylinder_check_on_delivery",
        "op_dme_blending", "op_industrial_fuel_to_restaurants", "fill_unlicensed_filling",
        "fill_license_conditions_lapsed", "fill_not_filling_per_license", "fill_full_staff_responsibility_missing",
        "fill_principal_untrained", "fill_operator_uncertified", "fill_dme_blending", "fill_non_owned_cylinder",
        "fill_overdue_inspection_cylinder", "fill_nonconforming_cylinder", "fill_expired_or_refurbished_cylinder",
        "fill_cylinder_inspection_not_done", "fill_seized_cylinder_disposal", "prod_substandard_lpg",
        "prod_no_warning_odor", "prod_dme_blending", "prod_sells_to_unlicensed", "indfuel_sold_to_civil_use",
        "black_gas_den", "black_cylinder_filling_sales", "fire_rules_violation_op_fill",
        "fire_equipment_deficient_op_fill",
        # 二(二)
        "mfr_unlicensed_cylinder_or_component", "mfr_substandard_cylinder", "cyl_hazard_found_seize",
        "cyl_two_phase_in_use_recall", "mfr_substandard_gas_appliance", "product_suspect_seize",
        "counterfeit_manufacture_sale", "seller_nonconforming_products",
        # 二(三)
        "pipe_aged_or_defective", "pipe_illegally_occupied", "pipe_through_confined_space",
        "pipe_nearby_construction_no_protection", "trans_unlicensed", "trans_license_conditions_lapsed",
        "insp_not_per_rules", "insp_certificate_lending", "insp_uncertified_inspector", "insp_falsified_report",
        # 二(四)
        "rest_fire_responsibility_missing", "rest_fire_training_missing", "rest_evacuation_plan_missing",
        "rest_illegal_gas_fire_power_use", "rest_lpg_underground", "rest_storage_over_100kg_no_room",
        "rest_in_use_spare_not_separated", "rest_hose_over_2m", "rest_hose_tee", "rest_hose_through_structure",
        "rest_detector_shutoff_missing", "rest_two_phase_50kg_cylinder", "rest_adjustable_regulator",
        "rest_medium_pressure_supply", "rest_nonconforming_products", "crowd_evacuation_not_set",
        "crowd_exit_blocked", "crowd_window_obstruction", "crowd_fire_equipment_nonconforming",
        # 二(五)
        "reg_accountability_mechanism_missing", "reg_measures_not_grounded", "reg_lax_enforcement",
        "reg_op_license_reassessment", "reg_market_cleanup_products", "trans_monitoring_system_unused",
        "trans_driver_speeding", "trans_driver_fatigue", "prod_dme_enforcement", "indfuel_civil_sale_enforcement",
        "rest_safety_system_missing", "rest_lpg_fire_training_missing", "rest_nine_small_exits",
        "rest_nine_small_power_fire", "other_crowded_places_extension",
        # 三(一)
        "ent_safety_rules", "ent_post_risk_lists", "ent_safety_managers_staffed", "ent_routine_training",
        "ent_hazard_ledger_closed_loop", "rest_principal_responsibility", "rest_lpg_safety_measures",
    }  # fmt: skip
    assert expected - set(CATALOG.rules) == set()


def test_major_hazard_standard_criteria_are_all_major_and_cite_the_standard():
    cited = [r for r in RULES if any("建城规〔2023〕4号" in s for s in r.basis_standards)]
    criteria = {s for r in cited for s in r.basis_standards if s.startswith("建城规")}
    for clause in ("第四条(一)", "第四条(二)", "第四条(三)", "第四条(四)", "第四条(五)", "第五条(一)",
                   "第五条(二)", "第五条(三)", "第五条(四)", "第五条(五)", "第六条(一)", "第六条(二)",
                   "第七条(一)", "第七条(二)", "第七条(三)", "第九条(一)", "第九条(二)", "第九条(三)",
                   "第九条(四)"):  # fmt: skip
        assert any(clause in c for c in criteria), clause
    for rule in RULES:
        if rule.origin.startswith("major_hazard_standard.yaml"):
            assert rule.severity == SeverityChoices.MAJOR, rule.id
            assert rule.lead == "housing", rule.id


def test_severity_policy_closure_revocation_or_criminal_liability_means_major():
    for rule in RULES:
        if {"shut_down", "revoke_licence", "criminal"} & set(rule.actions):
            assert rule.severity == SeverityChoices.MAJOR, rule.id


def test_deadline_policy_immediate_actions_have_deadline_zero():
    for rule in RULES:
        if "shut_down" in rule.actions or "stop_illegal" in rule.actions:
            assert rule.deadline_days == 0, rule.id
        if rule.deadline_days:
            assert 7 <= rule.deadline_days <= 30, rule.id


def test_unconfirmed_number_thresholds_are_settings():
    for rule in RULES:
        if rule.answer.type == "number" and rule.source_status in {"C-sec", "M", "Unconfirmed"}:
            assert rule.answer.threshold_setting.startswith("GASGUARD_"), rule.id


def test_hose_and_storage_rules_are_numbers_with_units():
    hose = CATALOG.rules["rest_hose_over_2m"].answer
    assert (hose.type, hose.unit, hose.operator, hose.threshold) == ("number", "m", ">", 2.0)
    mass = CATALOG.rules["rest_storage_over_100kg_no_room"].answer
    assert (mass.type, mass.unit, mass.operator, mass.threshold) == ("number", "kg", ">", 100.0)


def test_delivery_checklist_selects_customer_rules():
    names = {r.id for r in checklist_named("delivery_check", target_type="restaurant")}
    assert {"rest_hose_over_2m", "rest_hose_tee", "rest_adjustable_regulator", "rest_detector_shutoff_missing",
            "rest_storage_over_100kg_no_room", "rest_lpg_underground", "rest_two_phase_50kg_cylinder",
            "dc_cylinder_valve_leak"} <= names  # fmt: skip
    residential = {r.id for r in checklist_named("delivery_check", target_type="residential_user")}
    assert "user_hose_over_2m" in residential and "rest_hose_over_2m" not in residential
    for rule in checklist_named("delivery_check"):
        assert set(rule.targets) & {"restaurant", "residential_user"}, rule.id


def _compliant_and_hazard_values(rule):
    a = rule.answer
    if a.type == "bool":
        return [not a.hazard_when], [a.hazard_when]
    if a.type == "number":
        t = a.effective_threshold()
        step = max(abs(t) * 0.1, 0.1)
        if a.operator == ">":
            return [t, max(t - step, 0.0)], [t + step]
        if a.operator == ">=":
            return [max(t - step, 0.0)], [t, t + step]
        if a.operator == "<":
            return [t, t + step], [max(t - step, 0.0)]
        return [t + step], [t, max(t - step, 0.0)]  # "<="
    if a.type == "choice":
        return [c for c in a.choices if c not in a.hazard_choices], list(a.hazard_choices)
    return [], []


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_judges_answers(rule):
    compliant, hazardous = _compliant_and_hazard_values(rule)
    assert compliant and hazardous, "每条规则都须能判定隐患"
    for value in hazardous:
        assert is_hazard(rule, parse_answer(rule, value)) is True, value
    for value in compliant:
        assert is_hazard(rule, parse_answer(rule, value)) is False, value
    # The inspector's "是"/"否" reaches the same verdict as the boolean.
    if rule.answer.type == "bool":
        yes = "是" if rule.answer.hazard_when else "否"
        assert is_hazard(rule, parse_answer(rule, yes)) is True
    assert rule.question and rule.title and rule.legal_basis and rule.actions
    assert rule.lead not in rule.support


def test_number_boundary_is_not_a_hazard_for_strictly_greater():
    rule = CATALOG.rules["rest_hose_over_2m"]
    assert is_hazard(rule, parse_answer(rule, "2.0")) is False
    assert is_hazard(rule, parse_answer(rule, "2.01")) is True
    storage = CATALOG.rules["rest_storage_over_100kg_no_room"]
    assert is_hazard(storage, 100.0) is False and is_hazard(storage, 100.5) is True
