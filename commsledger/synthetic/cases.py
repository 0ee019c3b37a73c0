"""Flows of cases: complaints, collections, fraud, subject access and litigation. Each plans the
records of one case at a trigger time and schedules them on the engine."""

from __future__ import annotations

from typing import Any

from commsledger.synthetic.clock import DAY, day_info, rfc3339
from commsledger.synthetic.content import (
    ARREARS_REASONS,
    CALL_OUTCOMES,
    COMPLAINT_TOPICS,
    CREDIT_PRODUCTS,
    DECISIONS,
    FINDINGS,
    FRAUD_KINDS,
    HOLDS,
    MERCHANTS,
)
from commsledger.synthetic.engine import Engine, Plan, step
from commsledger.synthetic.people import Person


def complaint(engine: Engine, t0: int) -> None:
    """Acknowledgement, calls, holding letter, final response within 8 weeks (DISP 1.6)."""
    r, p, d0 = engine.r, engine.anyone(), t0 // DAY
    product, issue, detail = engine.pick(COMPLAINT_TOPICS)
    ref = engine.case_id("CMP")
    case = {"id": ref, "type": "complaint", "received_at": rfc3339(t0)}
    ctx = {
        "ref": ref,
        "product": product,
        "issue": issue,
        "detail": detail,
        "received": day_info(d0).long,
        "deadline": day_info(d0 + 56).long,
    }
    channel = "letter" if r() < (0.6 if p.vulnerable else 0.3) else "email"
    kw: dict[str, Any] = {"agent": engine.agent("Complaints"), "case": case}
    if r() < 0.2:
        ctx["resolution"] = engine.pick(
            [
                "we've refunded the duplicate payment and added £25 for the trouble caused.",
                "we've corrected the error on your account and refunded the charges.",
                "we've explained how the charge was worked out and you were happy with that.",
            ]
        )
        engine.schedule(
            [step(engine.office_time(d0 + 1 + int(r() * 2)), "cmp-src-v2", channel, p, ctx, **kw)]
        )
        return
    ack = t0 + 1800 + int(r() * 7200) if r() < 0.3 else engine.office_time(d0 + 1 + int(r() * 2))
    ack_day = ack // DAY
    fu = (
        {
            "action": f"Call customer to discuss complaint {ref}",
            "due": day_info(ack_day + 3 + int(r() * 4)).iso,
        }
        if r() < 0.5
        else None
    )
    steps = [step(ack, "cmp-ack-v3", channel, p, ctx, follow_up=fu, **kw)]
    late = r() < 0.06
    final_day = d0 + 53 if late else d0 + 6 + int(r() * r() * 47)
    if final_day - ack_day >= 3 and r() < 0.45:
        call_day = ack_day + 1 + int(r() * min(8, final_day - ack_day - 2))
        mood = engine.pick(["was reassured", "remained unhappy", "asked for a quick decision"])
        steps.append(
            step(
                engine.office_time(call_day),
                "cmp-call-v1",
                "phone",
                p,
                {**ctx, "mood": mood},
                status="delivered",
                **kw,
            )
        )
    hold = {**ctx, "hold": engine.pick(HOLDS), "date2": day_info(d0 + 70).long}
    if final_day - d0 > 30:
        steps.append(step(engine.office_time(d0 + 26 + int(r() * 3)), "cmp-hold-v2", channel, p, hold, **kw))
    if late:
        steps.append(step(engine.office_time(d0 + 55, back=True), "cmp-8wk-v1", channel, p, hold, **kw))
    else:
        steps.append(_final_response(engine, final_day, channel, p, ctx, kw))
    engine.schedule(steps)


def _final_response(
    engine: Engine, day: int, channel: str, p: Person, ctx: dict[str, str], kw: dict[str, Any]
) -> Plan:
    outcome = engine.pick(["upheld", "upheld", "partly upheld", "not upheld", "not upheld"])
    final = {
        **ctx,
        "finding": engine.pick(FINDINGS[:2] if outcome != "not upheld" else FINDINGS[2:]),
        "decision": DECISIONS[outcome],
        "redress": "",
    }
    fu = None
    tags: tuple[str, ...] = ()
    if outcome != "not upheld":
        redress = engine.money(25, 1500)
        final["redress"] = (
            f"Putting things right\nWe'll pay {redress} into your account "
            f"ending {p.acct} within five working days. This includes "
            "interest at 8% a year simple and an amount for the distress "
            "and inconvenience caused.\n\n"
        )
        fu = {
            "action": f"Pay redress of {redress} to account ending {p.acct}",
            "due": day_info(day + 5 + int(engine.r() * 5)).iso,
        }
        tags = ("redress",)
    return step(engine.office_time(day), "cmp-frl-v5", channel, p, final, follow_up=fu, tags=tags, **kw)


def collections(engine: Engine, t0: int) -> None:
    """Reminder, dialler calls, arrears notice, then a plan, payment or default notice."""
    r, p, d0 = engine.r, engine.anyone(), t0 // DAY
    ref = engine.case_id("COL")
    kw: dict[str, Any] = {"case": {"id": ref, "type": "collections", "received_at": rfc3339(t0)}}
    agent = engine.agent("Collections")
    ctx = {
        "ref": ref,
        "product": engine.pick(CREDIT_PRODUCTS),
        "amount": engine.money(25, 900),
        "due": day_info(d0 - 1 - int(r() * 3)).long,
        "plan": engine.money(20, 150),
    }
    day = d0 + 2 + int(r() * 3)
    steps = [step(engine.office_time(day), "col-rem-v2", "sms" if p.mobile else "email", p, ctx, **kw)]
    for attempt in range(1, int(r() * 4) + 1):
        day += 1 + int(r() * 3)
        status, outcome = engine.pick(CALL_OUTCOMES)
        note = outcome.format(
            name=p.name, reason=engine.pick(ARREARS_REASONS), plan=ctx["plan"], due=day_info(day + 7).long
        )
        steps.append(
            step(
                engine.office_time(day),
                "col-call-v3",
                "phone",
                p,
                {**ctx, "attempt": str(attempt), "outcome": note},
                agent=agent,
                system="dialler",
                status=status,
                **kw,
            )
        )
    if r() < 0.7:
        day += 3 + int(r() * 5)
        steps.append(step(engine.office_time(day), "col-nosia-v1", "letter", p, {**ctx, "missed": "2"}, **kw))
    x = r()
    email = "letter" if p.vulnerable or r() < 0.4 else "email"
    if x < 0.25:
        talk = day + 2 + int(r() * 5)
        fu = {"action": "Chase income and expenditure form", "due": day_info(talk + 14).iso}
        steps.append(
            step(
                engine.office_time(talk),
                "col-ie-v1",
                email,
                p,
                {**ctx, "date2": day_info(talk).long, "due": day_info(talk + 14).long},
                agent=agent,
                follow_up=fu,
                **kw,
            )
        )
        day = talk + 12 + int(r() * 10)
    if x < 0.65:
        day += 4 + int(r() * 15)
        ctx2 = {**ctx, "date2": day_info(day - 1).long, "due": day_info(day + 14).long}
        steps.append(step(engine.office_time(day), "col-arr-v2", email, p, ctx2, agent=agent, **kw))
    elif x < 0.85:
        day = max(day + 14, d0 + 55 + int(r() * 15))
        ctx2 = {**ctx, "due": day_info(day + 21).long, "amount2": engine.money(900, 12_000)}
        steps.append(step(engine.office_time(day), "col-dn-v3", "letter", p, ctx2, **kw))
    else:
        day += 1 + int(r() * 5)
        steps.append(
            step(engine.office_time(day), "col-paid-v1", "sms" if p.mobile else "email", p, ctx, **kw)
        )
    engine.schedule(steps)


def fraud(engine: Engine, t0: int) -> None:
    """Alert within seconds; then either 'it was me' or a call and a written outcome."""
    r, p = engine.r, engine.anyone()
    ref = engine.case_id("FRD")
    kw: dict[str, Any] = {"case": {"id": ref, "type": "fraud", "received_at": rfc3339(t0)}}
    ctx = {
        "ref": ref,
        "amount": engine.money(20, 3000),
        "merchant": engine.pick(MERCHANTS),
        "received": day_info(t0 // DAY).long,
    }
    alert = t0 + 5 + int(r() * 90)
    channel = "sms" if p.mobile else "push"
    steps = [step(alert, "frd-alert-v4", channel, p, ctx, **kw)]
    kind = "card" if r() < 0.45 else "app" if r() < 0.45 else "genuine"
    if kind == "genuine":
        steps.append(step(alert + 60 + int(r() * 1800), "frd-ok-v1", channel, p, ctx, **kw))
    else:
        label, story, action, outcome = FRAUD_KINDS[kind]
        facts = {"merchant": ctx["merchant"], "amount": ctx["amount"], "acct": p.acct}
        call = {**ctx, "story": story.format(**facts), "card_action": action}
        steps.append(
            step(
                alert + 300 + int(r() * 5000),
                "frd-call-v2",
                "phone",
                p,
                call,
                agent=engine.agent("Fraud"),
                status="delivered",
                **kw,
            )
        )
        done = {**ctx, "fraud": label, "outcome": outcome.format(**facts)}
        steps.append(
            step(
                engine.office_time(t0 // DAY + 1 + int(r() * 5)),
                "frd-outcome-v2",
                "email" if r() < 0.6 else "letter",
                p,
                done,
                agent=engine.agent("Fraud"),
                tags=(f"{kind}-fraud",),
                **kw,
            )
        )
    engine.schedule(steps)


def dsar(engine: Engine, t0: int) -> None:
    """Subject access: acknowledgement, then the copy within one month (UK GDPR Art 12)."""
    r, p, d0 = engine.r, engine.anyone(), t0 // DAY
    ref = engine.case_id("DSAR")
    kw: dict[str, Any] = {
        "case": {"id": ref, "type": "subject_access", "received_at": rfc3339(t0)},
        "agent": engine.agent("Data Protection Office"),
    }
    ctx = {"ref": ref, "received": day_info(d0).long, "deadline": day_info(d0 + 30).long}
    channel = "letter" if r() < 0.2 else "email"
    engine.schedule(
        [
            step(engine.office_time(d0 + 1 + int(r() * 2)), "dsar-ack-v1", channel, p, ctx, **kw),
            step(
                engine.office_time(d0 + 8 + int(r() * 19)),
                "dsar-resp-v2",
                channel,
                p,
                ctx,
                tags=("dsar",),
                **kw,
            ),
        ]
    )


def litigation(engine: Engine, t0: int) -> None:
    """Letter before claim (Pre-Action Protocol for Debt Claims), then what happened."""
    r, p, d0 = engine.r, engine.anyone(), t0 // DAY
    ref = engine.case_id("LGL")
    kw: dict[str, Any] = {
        "case": {"id": ref, "type": "litigation", "received_at": rfc3339(t0)},
        "agent": engine.agent("Legal"),
    }
    ctx = {
        "ref": ref,
        "product": engine.pick(CREDIT_PRODUCTS),
        "amount": engine.money(800, 15_000),
        "date2": day_info(d0 - 20 - int(r() * 60)).long,
    }
    first = d0 + 1 + int(r() * 4)
    steps = [step(engine.office_time(first), "lgl-lba-v1", "letter", p, ctx, **kw)]
    if r() < 0.7:
        outcome = engine.pick(
            [
                "As we have not heard from you, we issued a claim in the County Court "
                f"Business Centre on {day_info(first + 35).long}, claim number "
                f"K{int(r() * 1e7):07d}. You will receive the claim form from the court.",
                "Thank you for returning the reply form. We've paused legal action for 30 days "
                "while you get debt advice.",
                "Thank you for your payment. The balance is now clear, we've closed the matter "
                "and we will not take further action.",
            ]
        )
        steps.append(
            step(
                engine.office_time(first + 35 + int(r() * 10)),
                "lgl-next-v1",
                "letter" if r() < 0.7 else "email",
                p,
                {**ctx, "date2": day_info(first).long, "outcome": outcome},
                **kw,
            )
        )
    engine.schedule(steps)
