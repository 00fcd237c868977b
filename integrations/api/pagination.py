from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


class PagePagination(PageNumberPagination):
    """`page` and `page_size` as the schema states them: a page_size that is not a whole number from 1 to
    500 is a 400 (not silently the default), a page past the end or not a number (an empty one too) is
    a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request) -> int:
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        if len(values) > 1 or not values[0].isascii() or not values[0].isdigit():
            raise ValidationError({self.page_size_query_param: ["Give one whole number."]})
        size = int(values[0])
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Give a whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def get_page_number(self, request, paginator):
        # DRF reads an empty `page=` as page 1; the schema says an integer, so it is "not a number" too.
        if "" in request.query_params.getlist(self.page_query_param):
            raise NotFound(self.invalid_page_message.format(page_number="", message="Give a page number."))
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters
