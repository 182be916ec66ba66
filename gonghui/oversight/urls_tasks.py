"""Addresses of the key-task and target pages."""

from django.urls import path

from . import views_tasks as v

urlpatterns = [
    path("oversight/tasks/", v.task_list, name="tasks"),
    path("oversight/tasks/new/", v.task_new, name="task_new"),
    path("oversight/tasks/import/", v.task_import, name="task_import"),
    path("oversight/tasks/<int:pk>/", v.task_detail, name="task_detail"),
    path("oversight/tasks/<int:pk>/edit/", v.task_edit, name="task_edit"),
    path("oversight/milestones/<int:pk>/done/", v.milestone_done, name="milestone_done"),
    path("oversight/tasks/<int:pk>/<str:action>/", v.task_action, name="task_action"),
    path("oversight/targets/", v.target_list, name="targets"),
    path("oversight/targets/new/", v.target_new, name="target_new"),
    path("oversight/targets/<int:pk>/", v.target_detail, name="target_detail"),
    path("oversight/targets/<int:pk>/<str:action>/", v.target_step, name="target_step"),
]
