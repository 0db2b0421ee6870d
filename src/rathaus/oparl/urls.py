app_name = "oparl"
urlpatterns: list = []  # filled by the OParl server (see oparl/views.py)
