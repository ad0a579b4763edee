from django.urls import path
from django.utils.translation import gettext_lazy as _

from resourcecentre.feeds import views as feeds

from . import views

app_name = "news"

urlpatterns = [
    path(_("stories/<uslug:slug>/"), views.story, name="story"),
    path(_("stories/<uslug:slug>/<feed:feed_format>/"), feeds.story_feed, name="story_feed"),
    path(_("latest-news/"), views.latest_news, name="latest_news"),
    path(_("latest-news/<feed:feed_format>/"), feeds.latest_news_feed, name="latest_news_feed"),
    path(_("latest-news/<uslug:slug>/"), views.component, name="component"),
]
