from django.forms.renderers import TemplatesSetting


class TandemFormRenderer(TemplatesSetting):
    """Every `{{ form }}` renders with the app's accessible, Bootstrap-styled field template."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
