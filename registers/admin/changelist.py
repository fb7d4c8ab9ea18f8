"""A changelist that computes its annotations for the page's rows only.

Several lists annotate each row with a subquery (a provider's settings and
live contracts, a visit's overdue actions). With OFFSET, the database computes
the row's select list for every row it skips, so the last page of 100,000
visits ran 100,000 subqueries. Here the page is found first by id (the
ordering and filters as they are, without the annotations nobody sorts or
filters by), then the annotated rows are read for those ids alone.
"""

from unfold.views import ChangeList


class PageFirstChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        page = self.result_list
        query = getattr(page, "query", None)
        if query is None or query.high_mark is None or not query.annotations:
            return
        if query.low_mark == 0:
            return  # the first page skips nothing
        ordering = " ".join(str(part) for part in query.order_by)
        if any(name in ordering for name in query.annotations):
            return  # sorting by an annotation needs it for every row
        ids = list(page.values_list("pk", flat=True))
        # Same queryset, same ordering: the same rows in the same order.
        self.result_list = self.queryset.filter(pk__in=ids)


class PageFirstMixin:
    """Lists use PageFirstChangeList; mixins before this one may wrap it."""

    def get_changelist(self, request, **kwargs):
        return PageFirstChangeList
