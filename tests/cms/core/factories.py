import factory
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from cms.core.models import FaqItem, Testimonial


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_image_model()

    title = factory.Sequence(lambda n: f"Picture {n}")
    file = factory.LazyFunction(lambda: get_test_image_file(size=(640, 480)))


class TestimonialFactory(factory.django.DjangoModelFactory):
    __test__ = False  # not a pytest class, whatever its name says

    class Meta:
        model = Testimonial

    quote = factory.Sequence(lambda n: f"Booking was easy and the session helped ({n}).")
    person_name = factory.Sequence(lambda n: f"Client {n}")
    role = "Client since 2025"


class FaqItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaqItem

    question = factory.Sequence(lambda n: f"Question number {n}?")
    answer = "<p>An answer with <b>bold</b> words.</p>"
