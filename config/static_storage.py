"""Static files as served in production, with each file's URL worked out once per process.

The manifest of hashed names is read once when a process starts and does not change while it runs, so
the URL of `css/golive.css` is the same on every page. Django's storage works it out again for each
`{% static %}` (a manifest lookup, a URL join and quoting): a dozen times per page.
"""

from functools import lru_cache

from whitenoise.storage import CompressedManifestStaticFilesStorage


class CompressedManifestStaticFilesStorageWithUrlCache(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.url = lru_cache(maxsize=1024)(self.url)
