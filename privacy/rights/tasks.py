from celery import shared_task

from privacy.rights import services


@shared_task(name="privacy.rights.tasks.build_data_export")
def build_data_export(export_id: int) -> str:
    export = services.data_export_build(export_id=export_id)
    return export.status if export is not None else "missing"


@shared_task(name="privacy.rights.tasks.purge_old_exports")
def purge_old_exports() -> int:
    return services.data_exports_purge()


@shared_task(name="privacy.rights.tasks.retention_purge")
def retention_purge() -> int:
    from privacy.retention import retention_purge_run

    return retention_purge_run(dry_run=False).total
