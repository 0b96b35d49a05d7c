from wagtail import blocks


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False)
    link_text = blocks.CharBlock(max_length=40)
    link_url = blocks.CharBlock(max_length=200, help_text="A path such as /accounts/signup/")

    class Meta:
        template = "pages/blocks/call_to_action.html"
        icon = "pick"


class FeatureBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=80)
    text = blocks.TextBlock()


class FeatureGridBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    features = blocks.ListBlock(FeatureBlock(), min_num=1, max_num=6)

    class Meta:
        template = "pages/blocks/feature_grid.html"
        icon = "table"


class BodyBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])
    feature_grid = FeatureGridBlock()
    call_to_action = CallToActionBlock()
