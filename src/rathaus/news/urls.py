from django.urls import path

from rathaus.news import feeds, views

app_name = "news"
urlpatterns = [
    path("", views.news_list, name="list"),
    path("meldung/<slug:slug>/", views.detail, name="detail"),
    path("bekanntmachungen/", views.notices, name="notices"),
    path("veranstaltungen/", views.events, name="events"),
    path("veranstaltungen/kalender/", views.event_month_current, name="event_calendar"),
    path(
        "veranstaltungen/kalender/<int:year>/<int:month>/",
        views.event_month,
        name="event_month",
    ),
    path("veranstaltung/<slug:slug>/", views.event_detail, name="event"),
    path("veranstaltung/<slug:slug>/kalender.ics", feeds.event_ical, name="event_ics"),
    path("bild/<str:kind>/<int:pk>/", views.image, name="image"),
    # Feeds: all news, per category, per topic; calendars of the events likewise.
    path("rss/", feeds.NewsRssFeed(), name="rss"),
    path("atom/", feeds.NewsAtomFeed(), name="atom"),
    path("veranstaltungen.ics", feeds.events_ical, name="events_ical"),
    path("rubrik/<slug:slug>/rss/", feeds.CategoryRssFeed(), name="category_rss"),
    path("rubrik/<slug:slug>/atom/", feeds.CategoryAtomFeed(), name="category_atom"),
    path("rubrik/<slug:slug>/veranstaltungen.ics", feeds.category_ical, name="category_ical"),
    path("thema/<slug:slug>/rss/", feeds.TopicRssFeed(), name="topic_rss"),
    path("thema/<slug:slug>/atom/", feeds.TopicAtomFeed(), name="topic_atom"),
    path("thema/<slug:slug>/veranstaltungen.ics", feeds.topic_ical, name="topic_ical"),
]
