"""Addresses of the medical mutual aid pages."""

from django.urls import path

from . import views_mutual as v

urlpatterns = [
    path("aid/mutual/", v.plan_list, name="mutual_plans"),
    path("aid/mutual/new/", v.plan_new, name="mutual_plan_new"),
    path("aid/mutual/<int:pk>/", v.plan_detail, name="mutual_plan"),
    path("aid/mutual/<int:pk>/open/", v.plan_state, {"to": "open"}, name="mutual_plan_open"),
    path("aid/mutual/<int:pk>/close/", v.plan_state, {"to": "close"}, name="mutual_plan_close"),
    path("aid/mutual/<int:pk>/enrolments/", v.enrolment_list, name="mutual_enrolments"),
    path("aid/mutual/<int:pk>/enrolments/new/", v.enrol_new, name="mutual_enrol"),
    path("aid/mutual/<int:pk>/enrolments/import/", v.enrol_import, name="mutual_import"),
    path("aid/mutual/<int:pk>/enrolments/template/", v.enrol_template, name="mutual_import_template"),
    path("aid/mutual/<int:pk>/publish/", v.claims_publish, name="mutual_publish"),
    path("aid/mutual/<int:pk>/publications/<int:pub>/withdraw/", v.claims_withdraw, name="mutual_withdraw"),
    path("aid/mutual/claims/", v.claim_list, name="mutual_claims"),
    path("aid/mutual/claims/new/", v.claim_new, name="mutual_claim_new"),
    path("aid/mutual/claims/review/", v.review, name="mutual_review"),
    path("aid/mutual/claims/<int:pk>/", v.claim_detail, name="mutual_claim"),
    path("aid/mutual/claims/<int:pk>/approve/", v.claim_approve, name="mutual_claim_approve"),
    path("aid/mutual/claims/<int:pk>/refuse/", v.claim_refuse, name="mutual_claim_refuse"),
]
