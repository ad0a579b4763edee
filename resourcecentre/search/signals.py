"""Index invalidation: every saved, deleted or re-tagged item is logged for the index."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from resourcecentre.companies.models import Company, CompanyName
from resourcecentre.news.models import Component, ComponentTranslation, Source, Story, StoryTranslation
from resourcecentre.taxonomy.models import TERM_MODELS

from .engine import TAG_FIELDS
from .services import search_index_record_change

KIND_OF = {Component: "component", Story: "story", Company: "company"}
PARENT_OF = {
    ComponentTranslation: ("component", "component_id"),
    StoryTranslation: ("story", "story_id"),
    CompanyName: ("company", "company_id"),
}


def _changed(sender, instance, **kwargs) -> None:
    search_index_record_change(kind=KIND_OF[sender], object_ids=[instance.pk])


def _child_changed(sender, instance, **kwargs) -> None:
    kind, attribute = PARENT_OF[sender]
    search_index_record_change(kind=kind, object_ids=[getattr(instance, attribute)])


def _tags_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:
        search_index_record_change(kind=KIND_OF[type(instance)], object_ids=[instance.pk])
    elif pk_set:
        owner = sender._meta.get_field(
            next(f for f in ("component", "story", "company") if hasattr(sender, f))
        )
        search_index_record_change(kind=KIND_OF[owner.related_model], object_ids=sorted(pk_set))


def _tagged_items_deleted(sender, instance, **kwargs) -> None:
    """A company or term about to be deleted: its tag rows go without m2m signals."""
    field = "companies" if sender is Company else instance.kind
    for model, kind in ((Component, "component"), (Story, "story")):
        through = getattr(model, field).through
        owner = f"{model._meta.model_name}_id"
        target = f"{getattr(model, field).field.related_model._meta.model_name}_id"
        ids = list(through.objects.filter(**{target: instance.pk}).values_list(owner, flat=True))
        if ids:
            search_index_record_change(kind=kind, object_ids=ids)


def _source_renamed(sender, instance, **kwargs) -> None:
    """A source's name is in its components' bylines, which the index holds."""
    if instance.pk and instance.name != getattr(instance, "_indexed_name", instance.name):
        ids = list(instance.components.values_list("id", flat=True))
        if ids:
            search_index_record_change(kind="component", object_ids=ids)


def _remember_source_name(sender, instance, **kwargs) -> None:
    if instance.pk:
        instance._indexed_name = Source.objects.filter(pk=instance.pk).values_list("name", flat=True).first()


def connect() -> None:
    for model in KIND_OF:
        post_save.connect(_changed, sender=model, dispatch_uid=f"search-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"search-delete-{model.__name__}")
    for model in PARENT_OF:
        post_save.connect(_child_changed, sender=model, dispatch_uid=f"search-save-{model.__name__}")
        post_delete.connect(_child_changed, sender=model, dispatch_uid=f"search-delete-{model.__name__}")
    for model in (Component, Story):
        for field in TAG_FIELDS:
            through = getattr(model, field).through
            m2m_changed.connect(_tags_changed, sender=through, dispatch_uid=f"search-tags-{through.__name__}")
    m2m_changed.connect(
        _tags_changed, sender=Company.sectors.through, dispatch_uid="search-tags-company-sectors"
    )
    for model in (Company, *TERM_MODELS.values()):
        pre_delete.connect(_tagged_items_deleted, sender=model, dispatch_uid=f"search-untag-{model.__name__}")
    pre_save.connect(_remember_source_name, sender=Source, dispatch_uid="search-source-name")
    post_save.connect(_source_renamed, sender=Source, dispatch_uid="search-source-renamed")
