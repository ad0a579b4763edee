"""Index invalidation: every saved, deleted or re-tagged item is logged for the index."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from resourcecentre.companies.models import Company, CompanyName
from resourcecentre.news.models import Component, ComponentTranslation, Story

from .services import search_index_record_change

KIND_OF = {Component: "component", Story: "story", Company: "company"}
PARENT_OF = {ComponentTranslation: ("component", "component_id"), CompanyName: ("company", "company_id")}


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


def connect() -> None:
    for model in KIND_OF:
        post_save.connect(_changed, sender=model, dispatch_uid=f"search-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"search-delete-{model.__name__}")
    for model in PARENT_OF:
        post_save.connect(_child_changed, sender=model, dispatch_uid=f"search-save-{model.__name__}")
        post_delete.connect(_child_changed, sender=model, dispatch_uid=f"search-delete-{model.__name__}")
    for model in (Component, Story):
        for field in ("companies", "countries", "regions", "issues", "sectors", "stakeholders"):
            through = getattr(model, field).through
            m2m_changed.connect(_tags_changed, sender=through, dispatch_uid=f"search-tags-{through.__name__}")
    m2m_changed.connect(
        _tags_changed, sender=Company.sectors.through, dispatch_uid="search-tags-company-sectors"
    )
