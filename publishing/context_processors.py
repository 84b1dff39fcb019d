"""The dataset line every page shows in its footer: licence and when the data last changed."""

from django.utils.functional import SimpleLazyObject

from publishing import dataset as dataset_info


def dataset(request):
    # Lazy: read (one query) only when a template shows it.
    return {"dataset": SimpleLazyObject(dataset_info.footer)}
