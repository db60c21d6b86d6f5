from django import forms, template

register = template.Library()


@register.filter
def bs_widget(field):
    """Render a bound field's widget with the matching Bootstrap class and ARIA state."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        css = ""
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    attrs = {}
    if css:
        attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
    if field.errors:
        attrs["class"] = attrs.get("class", "") + " is-invalid"
        attrs["aria-invalid"] = "true"
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_helptext"
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_multi_choice(field) -> bool:
    return isinstance(field.field.widget, (forms.CheckboxSelectMultiple, forms.RadioSelect))


@register.simple_tag(takes_context=True)
def partnership_tabs(context, partnership):
    """The feature apps' tabs for the partnership header (see partnership.navigation)."""
    from partnership.navigation import tabs_for

    return tabs_for(partnership, context["request"].path)
