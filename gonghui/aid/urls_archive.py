from django.urls import path

from . import views_archive as v

urlpatterns = [
    path("aid/archive/", v.archive_list, name="archive"),
    path("aid/archive/new/", v.household_new, name="household_new"),
    path("aid/archive/review/", v.review_queue, name="archive_review"),
    path("aid/archive/standards/", v.standards_page, name="standards"),
    path("aid/archive/<int:pk>/", v.household_detail, name="household"),
    path("aid/archive/<int:pk>/edit/", v.household_edit, name="household_edit"),
    path("aid/archive/<int:pk>/reveal/", v.household_reveal, name="household_reveal"),
    path("aid/archive/<int:pk>/apply/", v.household_apply, name="household_apply"),
    path("aid/archive/<int:pk>/review/", v.household_review, name="household_review"),
    path("aid/archive/<int:pk>/objection/", v.objection_new, name="objection_new"),
    path("aid/archive/<int:pk>/annual/", v.household_annual, name="household_annual"),
    path("aid/archive/<int:pk>/exit/", v.household_exit, name="household_exit"),
    path("aid/archive/<int:pk>/pair/", v.pairing_new, name="pairing_new"),
    path("aid/archive/<int:pk>/card/", v.card_issue, name="card_issue"),
    path("aid/archive/objections/<int:pk>/resolve/", v.objection_resolve, name="objection_resolve"),
    path("aid/archive/pairs/<int:pk>/visit/", v.pair_visit_new, name="pair_visit_new"),
    path("aid/archive/cards/<int:pk>/withdraw/", v.card_withdraw, name="card_withdraw"),
]
