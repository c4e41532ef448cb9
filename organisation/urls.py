from django.urls import path

from organisation import views

app_name = "organisation"

urlpatterns = [
    path("", views.structure, name="structure"),
    path("directorates/<int:pk>/history/", views.directorate_history, name="directorate_history"),
]
