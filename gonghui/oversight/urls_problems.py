"""Addresses of the problem pages."""

from django.urls import path

from . import views_problems as v

urlpatterns = [
    path("oversight/problems/", v.problem_list, name="problems"),
    path("oversight/problems/new/", v.problem_new, name="problem_new"),
    path("oversight/problems/import/", v.problem_import, name="problem_import"),
    path("oversight/problems/<int:pk>/", v.problem_detail, name="problem_detail"),
    path("oversight/problems/<int:pk>/edit/", v.problem_edit, name="problem_edit"),
    path("oversight/problems/<int:pk>/reveal/", v.problem_reveal, name="problem_reveal"),
    path("oversight/problems/<int:pk>/<str:action>/", v.problem_action, name="problem_action"),
    path("oversight/settings/sources/", v.sources_list, name="sources"),
    path("oversight/settings/sources/<int:pk>/", v.sources_entry, name="sources_entry"),
    path("oversight/settings/categories/", v.categories_list, name="categories"),
    path("oversight/settings/categories/<int:pk>/", v.categories_entry, name="categories_entry"),
    path("oversight/departments/", v.departments, name="departments"),
    path("oversight/departments/<int:pk>/", v.department_save, name="department_save"),
]
