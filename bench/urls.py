"""The bench's URL conf (ROOT_URLCONF when BENCH=1): the production one,
tracker.urls, unchanged, plus the ceiling page the benchmark compares pages
with. Production never routes it: tracker.urls has no benchmark route."""

from django.urls import path

from tracker import urls as production

from . import views

handler500 = production.handler500

urlpatterns = [
    *production.urlpatterns,
    path("bench/ceiling/", views.ceiling),
]
