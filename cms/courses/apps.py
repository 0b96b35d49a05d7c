from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "cms.courses"
    label = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from cms.courses.exports import register_exports

        register_exports()
        # A course bought by card follows its payment: every reconcile of a payment
        # (paid, refunded, disputed, in any order) enrols the buyer or ends the enrolment.
        from cms.courses.services.enrolments import course_payment_reconciled
        from commerce.payments.models import Payment
        from commerce.payments.signals import payment_reconciled

        payment_reconciled.connect(
            course_payment_reconciled, sender=Payment, dispatch_uid="courses-card-payment"
        )

        from cms.courses.services.progress import certificates_erase
        from privacy.registry import eraser_register

        # Enrolments and progress stay (course statistics) and point at the anonymised
        # account; the certificate is what printed the person's name.
        eraser_register(
            name="certificates",
            eraser=certificates_erase,
            models=("courses.Enrolment", "courses.Certificate"),
        )
