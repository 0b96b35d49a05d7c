import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a verified primary email; `roles=[Role.EDITOR]` grants roles."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=extracted is not False
            )
            self.save()

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            role_grant(user=self, role=Role(role))
