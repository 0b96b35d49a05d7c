from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock


class LibraryBodyBlock(blocks.StreamBlock):
    """What an item's body may hold: text, images with alt text, and embeds."""

    rich_text = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "blockquote"]
    )
    image = ImageBlock()
    embed = EmbedBlock(help_text="A video or audio link from a provider such as YouTube.")
