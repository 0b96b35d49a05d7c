"""Kept so migration 0001 and deployed settings naming
`cms.library.storage.PrivateFileSystemStorage` keep working: the private storage now lives
in the `filestore` package, which every layer shares."""

from filestore import PrivateFileSystemStorage, private_storage, streams_from_disk

__all__ = ["PrivateFileSystemStorage", "private_storage", "streams_from_disk"]
