"""The Wagtail content product: library, courses, Contentful sync (see DESIGN.md §1)."""
