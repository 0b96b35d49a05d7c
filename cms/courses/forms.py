"""The Wagtail document form (WAGTAILDOCS_DOCUMENT_FORM_BASE): the "Course videos"
collection holds only real MP4 or WebM videos up to COURSE_VIDEO_MAX_BYTES, and videos
belong in that collection only. Every document form in the admin (add, multiple upload, the
chooser's upload tab, edit) is built on this base, so one rule covers them all; a refused
file is a form error, never a 500. (Bulk "add to collection" has no form of ours; a
before_bulk_action hook in wagtail_hooks applies the same rule there.)"""

from wagtail.documents.forms import BaseDocumentForm

from cms.courses.videos import document_problem


class CourseDocumentForm(BaseDocumentForm):
    def clean(self):
        cleaned_data = super().clean()
        if "collection" in self.fields:
            collection = cleaned_data.get("collection")
        elif len(self.collections) == 1:
            # One collection to choose from: Wagtail hides the field and uses that one.
            collection = self.collections[0]
        else:
            collection = self.instance.collection if self.instance.collection_id else None
        uploaded = cleaned_data.get("file") if "file" in self.changed_data else None
        if uploaded is None and "collection" not in self.changed_data:
            return cleaned_data  # neither the file nor its place changes
        file = uploaded or self.instance.file
        if not file:
            return cleaned_data
        problem = document_problem(file=file, collection=collection)
        if problem is not None:
            # On the file field where there is one: Wagtail's multiple uploader rejects a
            # file with an error there at once, rather than keeping it as a pending upload.
            self.add_error("file" if "file" in self.fields else None, problem)
        return cleaned_data

    def _post_clean(self):
        # A file refused by the form (ours, or Django's "empty file") leaves cleaned_data,
        # so Wagtail's Document.clean() would check an empty name and add a confusing
        # 'File extension “”' error. It checks the refused upload's real name instead;
        # the form is invalid, so nothing is saved.
        upload = self.files.get(self.add_prefix("file")) if "file" in self._errors else None
        if upload is not None:
            self.instance.file = upload
        super()._post_clean()
