"""Snapshot every row of every tenant-relevant table, to prove a refused request changed nothing."""

from django.apps import apps

SNAPSHOT_APPS = (
    "accounts",
    "partnership",
    "kpis",
    "sti",
    "reviews",
    "messaging",
    "account",  # allauth: e-mail addresses and confirmations
    "mfa",  # allauth: authenticators
)

# Columns that legitimately change when someone merely signs in or reads (model label, lowercase).
VOLATILE_FIELDS = {
    "accounts.user": {"last_login"},
    "accounts.apitoken": {"last_used_at"},  # Bearer authentication stamps it, at most once a minute
}


def snapshot() -> dict[str, list[dict]]:
    state = {}
    for app_label in SNAPSHOT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            meta = model._meta
            if meta.proxy or not meta.managed:
                continue
            skip = VOLATILE_FIELDS.get(meta.label_lower, set())
            fields = [f.attname for f in meta.concrete_fields if f.attname not in skip]
            state[meta.label] = list(model._base_manager.order_by("pk").values(*fields))
    return state


def diff(before: dict, after: dict) -> str:
    """A short description of what changed, empty when nothing did."""
    lines = []
    for label in sorted(set(before) | set(after)):
        old, new = before.get(label, []), after.get(label, [])
        if old == new:
            continue
        added = [row for row in new if row not in old]
        removed = [row for row in old if row not in new]
        lines.append(f"{label}: {len(old)} -> {len(new)} rows")
        lines += [f"    + {row}" for row in added[:3]]
        lines += [f"    - {row}" for row in removed[:3]]
    return "\n".join(lines)
