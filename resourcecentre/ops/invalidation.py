"""Which cached pages a change makes stale, worked out from the same model signals that feed
the search index's change log (search/signals.py), and invalidated when the change commits.

Company and tag listings are read from the search index, which catches up a moment later
through a task; their tags are invalidated again when that task finishes on this host.
"""

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from resourcecentre.alerts.models import WeeklyUpdate, WeeklyUpdateStory
from resourcecentre.companies.models import Company, CompanyIdentifier, CompanyName
from resourcecentre.news.models import (
    Component,
    ComponentTranslation,
    ComponentType,
    Source,
    Story,
    StoryComponent,
    StoryTranslation,
)
from resourcecentre.responses.models import Invitation, ResponseRequest
from resourcecentre.search.engine import TAG_FIELDS
from resourcecentre.site_messages.models import SiteMessage
from resourcecentre.taxonomy.models import TERM_MODELS, Country

from .pagecache import EVERY_PAGE, invalidate

# Saving a draft revision only touches these fields of the live row: the public page is unchanged.
DRAFT_ONLY_FIELDS = {"latest_revision", "has_unpublished_changes", "locked", "locked_at", "locked_by"}
# Past this many pages it is cheaper to start the whole cache afresh than to list them.
MANY = 500
AFTER_INDEX_KEY = "ops:pagecache:after-index"


def page_cache_invalidate_on_commit(tags: Iterable[str]) -> None:
    """Collect tags for this transaction; invalidate them once, after it commits.

    Invalidating again after the commit removes any copy rendered from the old rows in the
    meantime. The tags sit on the connection beside its commit callbacks, so a rollback, which drops
    the callback, starts the next transaction with none left over.
    """
    tags = set(tags)
    # At once as well: this transaction's own later reads (and a test's, which never commits)
    # must not get the page it just changed.
    invalidate(tags)
    connection = transaction.get_connection()
    registered = any(func is _flush for _, func, _ in connection.run_on_commit)
    if not registered:
        connection.page_cache_tags = set()
    connection.page_cache_tags.update(tags)
    if not registered:
        transaction.on_commit(_flush, robust=True)


def _flush() -> None:
    connection = transaction.get_connection()
    tags = getattr(connection, "page_cache_tags", None) or set()
    connection.page_cache_tags = set()
    if len(tags) > MANY:
        tags = {EVERY_PAGE}
    invalidate(tags)
    listings = {tag for tag in tags if not tag.startswith(("story:", "component:"))}
    if listings:
        try:
            waiting = cache.get(AFTER_INDEX_KEY) or set()
            cache.set(AFTER_INDEX_KEY, waiting | listings, None)
        except Exception:  # a cache outage has nothing to invalidate
            return


def invalidate_after_index_sync(sender, task_result, **kwargs) -> None:
    if task_result.task.module_path != "resourcecentre.search.tasks.sync_search_index":
        return
    try:
        waiting = cache.get(AFTER_INDEX_KEY) or set()
        cache.delete(AFTER_INDEX_KEY)
    except Exception:
        return
    invalidate(waiting)


def _term_tags(ids_by_field: dict[str, Iterable[int]]) -> set[str]:
    tags: set[str] = set()
    for field, ids in ids_by_field.items():
        ids = list(ids)
        if not ids:
            continue
        if field == "companies":
            tags.update(
                f"company:{slug}"
                for slug in Company.objects.filter(id__in=ids).values_list("slug", flat=True)
            )
            continue
        model = TERM_MODELS[field]
        tags.update(
            f"{field}:{slug}" for slug in model.objects.filter(id__in=ids).values_list("slug", flat=True)
        )
        if model is Country:
            # A region's page takes in the countries it contains.
            regions = Country.objects.filter(id__in=ids).values_list("region__slug", flat=True)
            tags.update(f"regions:{slug}" for slug in regions)
    return tags


def _tagged_with(instance) -> dict[str, list[int]]:
    return {field: list(getattr(instance, field).values_list("id", flat=True)) for field in TAG_FIELDS}


def component_tags(component: Component) -> set[str]:
    tags = {f"component:{component.slug}", "news", "site"}
    stories = Story.objects.filter(story_components__component=component).values_list("slug", flat=True)
    tags.update(f"story:{slug}" for slug in stories)
    return tags | _term_tags(_tagged_with(component))


def story_tags(story: Story) -> set[str]:
    """The story's pages and listings, and its components' pages, which list it by headline."""
    components = list(
        Component.objects.filter(story_links__story=story).values_list("slug", flat=True)[: MANY + 1]
    )
    if len(components) > MANY:
        return {EVERY_PAGE}
    tags = {f"story:{story.slug}", "news", "site"} | {f"component:{slug}" for slug in components}
    return tags | _term_tags(_tagged_with(story))


def _pages_about(field: str, object_id: int) -> set[str]:
    """The story and component pages that show a company or term among their tags."""
    tags: set[str] = set()
    for model, kind in ((Component, "component"), (Story, "story")):
        slugs = model.objects.filter(**{field: object_id}).values_list("slug", flat=True)[: MANY + 1]
        tags.update(f"{kind}:{slug}" for slug in slugs)
    return tags if len(tags) <= MANY else {EVERY_PAGE}


def _remember_slug(sender, instance, **kwargs) -> None:
    if instance.pk:
        instance._cached_slug = sender.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()


def _old_slug_tags(instance, kind: str) -> set[str]:
    old = getattr(instance, "_cached_slug", None)
    return {f"{kind}:{old}"} if old and old != instance.slug else set()


def _component_changed(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= DRAFT_ONLY_FIELDS:
        return
    page_cache_invalidate_on_commit(component_tags(instance) | _old_slug_tags(instance, "component"))


def _story_changed(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= DRAFT_ONLY_FIELDS:
        return
    page_cache_invalidate_on_commit(story_tags(instance) | _old_slug_tags(instance, "story"))


def _company_changed(sender, instance, **kwargs) -> None:
    tags = {f"company:{instance.slug}", "companies", "site"} | _old_slug_tags(instance, "company")
    page_cache_invalidate_on_commit(tags | _pages_about("companies", instance.pk))


def _term_changed(sender, instance, **kwargs) -> None:
    tags = {f"{sender.kind}:{instance.slug}", "site"} | _old_slug_tags(instance, sender.kind)
    page_cache_invalidate_on_commit(tags | _pages_about(sender.kind, instance.pk))


def _story_component_changed(sender, instance, **kwargs) -> None:
    tags = {"news"}
    story = Story.objects.filter(pk=instance.story_id).values_list("slug", flat=True).first()
    component = Component.objects.filter(pk=instance.component_id).values_list("slug", flat=True).first()
    if story:
        tags.add(f"story:{story}")
    if component:
        tags.add(f"component:{component}")
    page_cache_invalidate_on_commit(tags)


def _translation_changed(sender, instance, **kwargs) -> None:
    """A component's or a story's translation: the pages of the item it translates, if it is
    still there (deleting an item deletes its translations after it)."""
    key = instance._meta.get_field(instance.item_field)
    item = key.related_model.objects.filter(pk=getattr(instance, key.attname)).first()
    if isinstance(item, Component):
        page_cache_invalidate_on_commit(component_tags(item))
    elif item is not None:
        page_cache_invalidate_on_commit(story_tags(item))


def _source_changed(sender, instance, **kwargs) -> None:
    slugs = list(Component.objects.filter(source=instance).values_list("slug", flat=True)[: MANY + 1])
    tags = {f"component:{slug}" for slug in slugs} | {"news", "site"}
    page_cache_invalidate_on_commit(tags if len(slugs) <= MANY else {EVERY_PAGE})


def _company_part_changed(sender, instance, **kwargs) -> None:
    slug = Company.objects.filter(pk=instance.company_id).values_list("slug", flat=True).first()
    if slug:
        page_cache_invalidate_on_commit({f"company:{slug}", "companies"})


def _invitation_changed(sender, instance, **kwargs) -> None:
    """A company's response record shows on its page, the story's and the response rates."""
    tags = {"site"}
    company = Company.objects.filter(pk=instance.company_id).values_list("slug", flat=True).first()
    story = Story.objects.filter(response_requests__invitations__pk=instance.pk).values_list(
        "slug", flat=True
    )
    if company:
        tags.add(f"company:{company}")
    tags.update(f"story:{slug}" for slug in story)
    page_cache_invalidate_on_commit(tags)


def _response_request_changed(sender, instance, **kwargs) -> None:
    slug = Story.objects.filter(pk=instance.story_id).values_list("slug", flat=True).first()
    page_cache_invalidate_on_commit({"site", f"story:{slug}"} if slug else {"site"})


def _weekly_update_changed(sender, instance, update_fields=None, **kwargs) -> None:
    """An issue published, changed or withdrawn: its page, the archive and its feed ("site")."""
    if update_fields and set(update_fields) <= DRAFT_ONLY_FIELDS:
        return
    page_cache_invalidate_on_commit({"site"})


def _everything_changed(sender, **kwargs) -> None:
    """The banner and the component types appear on every page."""
    page_cache_invalidate_on_commit({EVERY_PAGE})


def _tags_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Tags added to or taken from an item: its pages, and the listings it joins or leaves."""
    if not action.startswith("post_"):
        return
    owner, field = THROUGH[sender]
    if not reverse:
        own = component_tags(instance) if owner is Component else story_tags(instance)
        page_cache_invalidate_on_commit(own | _term_tags({field: pk_set or ()}))
        return
    kind = "component" if owner is Component else "story"
    slugs = owner.objects.filter(id__in=pk_set or ()).values_list("slug", flat=True)
    tags = {f"{kind}:{slug}" for slug in slugs} | {"news", "site"}
    page_cache_invalidate_on_commit(tags | _term_tags({field: [instance.pk]}))


THROUGH = {
    getattr(model, field).through: (model, field) for model in (Component, Story) for field in TAG_FIELDS
}


def connect() -> None:
    for model, handler, kind in (
        (Component, _component_changed, "component"),
        (Story, _story_changed, "story"),
    ):
        pre_save.connect(_remember_slug, sender=model, dispatch_uid=f"pagecache-slug-{kind}")
        post_save.connect(handler, sender=model, dispatch_uid=f"pagecache-save-{kind}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"pagecache-delete-{kind}")
    for model in (Company, *TERM_MODELS.values()):
        handler = _company_changed if model is Company else _term_changed
        pre_save.connect(_remember_slug, sender=model, dispatch_uid=f"pagecache-slug-{model.__name__}")
        post_save.connect(handler, sender=model, dispatch_uid=f"pagecache-save-{model.__name__}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"pagecache-delete-{model.__name__}")
    for model, handler in (
        (StoryComponent, _story_component_changed),
        (ComponentTranslation, _translation_changed),
        (StoryTranslation, _translation_changed),
        (Source, _source_changed),
        (SiteMessage, _everything_changed),
        (ComponentType, _everything_changed),
        (CompanyName, _company_part_changed),
        (CompanyIdentifier, _company_part_changed),
        (Invitation, _invitation_changed),
        (ResponseRequest, _response_request_changed),
        (WeeklyUpdate, _weekly_update_changed),
        (WeeklyUpdateStory, _weekly_update_changed),
    ):
        post_save.connect(handler, sender=model, dispatch_uid=f"pagecache-save-{model.__name__}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"pagecache-delete-{model.__name__}")
    for model in (Component, Story):
        for field in TAG_FIELDS:
            m2m_changed.connect(
                _tags_changed,
                sender=getattr(model, field).through,
                dispatch_uid=f"pagecache-tags-{model.__name__}-{field}",
            )

    from django_tasks.signals import task_finished

    task_finished.connect(invalidate_after_index_sync, dispatch_uid="pagecache-after-index")
