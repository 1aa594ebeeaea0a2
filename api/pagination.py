from collections.abc import Sequence

import pandas as pd
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`count, next, previous, results`; `?page_size=` up to 1000 for scripted exports."""

    page_size_query_param = "page_size"
    max_page_size = 1000


class FrameRows(Sequence):
    """A DataFrame as a sequence of dicts (NaN/NaT → None) that converts only the rows a page slices out."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def __len__(self):
        return len(self.frame)

    def __getitem__(self, index):
        part = self.frame.iloc[index if isinstance(index, slice) else [index]]
        rows = part.astype(object).where(part.notna(), None).to_dict("records")
        return rows if isinstance(index, slice) else rows[0]
