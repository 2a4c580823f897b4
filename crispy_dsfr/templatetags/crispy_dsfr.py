from django import template

register = template.Library()


@register.filter
def error_summary_title(form) -> str:
    """ "Le formulaire contient 1 erreur" / "… 3 erreurs" (a summary only shows with errors)."""
    total = sum(len(errors) for errors in form.errors.values())
    return f"Le formulaire contient {total} erreur{'s' if total > 1 else ''}"
