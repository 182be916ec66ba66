"""Model fields for personal data: encrypted at rest, with an optional keyed blind index column.

Every field that holds personal data declares why it is kept (purpose) and for how long (retention),
so the data inventory can be produced from the schema.
"""

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    description = "Personal data, encrypted at rest"

    def __init__(self, *args, kind: str, purpose: str, retention: str, blind_index: str | None = None, **kwargs):
        self.kind = kind
        self.purpose = purpose
        self.retention = retention
        self.blind_index = blind_index
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(kind=self.kind, purpose=self.purpose, retention=self.retention)
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        return crypto.decrypt(value, kind=self.kind)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return ""
        return crypto.encrypt(str(value), kind=self.kind)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if self.blind_index:
            setattr(model_instance, self.blind_index, crypto.blind_index(value, kind=self.kind) if value else "")
        return value


def personal_fields(model) -> list[EncryptedTextField]:
    return [f for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]


class PersonalDataModel(models.Model):
    """Saves a blind index together with its encrypted field, also when update_fields is given."""

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None:
            extra = {f.blind_index for f in personal_fields(type(self)) if f.blind_index and f.name in update_fields}
            update_fields = set(update_fields) | extra
        super().save(*args, update_fields=update_fields, **kwargs)
