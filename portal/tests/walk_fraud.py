"""The rows the URL walk (test_access.py) needs for fraud review and operations: a flag of
the walk's creator with their appeal waiting (the appeal and answer URLs take their ids, and
FlagAppeal's admin pages need a row), and a failed task for TaskFailure's admin pages."""

# Fraud review's and the creator's appeal views that only take a POST.
POST_ONLY_FRAUD: set[str] = {
    "rewards:appeal_flag",
    "reports:fraud_review",
    "reports:fraud_answer",
}


def own_flags(creator: object) -> dict[str, dict]:
    from celery.signals import task_failure

    from activity import services as activity_services
    from activity.models import EngagementFlag, FlagReason
    from activity.tests.factories import VideoDayFactory, VideoFactory

    stat = VideoDayFactory(video=VideoFactory(creator=creator))
    flag = EngagementFlag.objects.create(
        video_day=stat,
        creator=creator,
        day=stat.day,
        reason=FlagReason.BOT_MARKED,
        detail="walked",
        excluded_views=100,
    )
    appeal = activity_services.appeal_flag(creator=creator, flag=flag, message="Walked appeal.")
    task_failure.send(sender=None, task_id="walk", exception=RuntimeError("walked"))
    return {
        "rewards:appeal_flag": {"pk": flag.pk},
        "reports:fraud_answer": {"pk": appeal.pk},
    }
