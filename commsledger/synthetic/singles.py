"""Flows of single communications: passcodes, alerts, service replies, mortgage, wealth and
insurance messages. Each takes the engine and a time and returns one record."""

from __future__ import annotations

from commsledger.synthetic.channels import SERVICE_CHANNELS
from commsledger.synthetic.clock import DAY, day_info
from commsledger.synthetic.common import Record
from commsledger.synthetic.content import (
    DEVICES,
    FUNDS,
    MERCHANTS,
    OTP_ACTIONS,
    PAYEES,
    SERVICE_TOPICS,
    WRAPPERS,
)
from commsledger.synthetic.directory import TOWNS
from commsledger.synthetic.engine import Engine
from commsledger.synthetic.templates import TEMPLATES


def otp(engine: Engine, t: int) -> Record:
    p = engine.anyone()
    action = (
        f"approve a payment of {engine.money(5, 900)} to {engine.pick(MERCHANTS)}"
        if engine.r() < 0.4
        else engine.pick(OTP_ACTIONS)
    )
    ctx = {"otp": f"{int(engine.r() * 1e6):06d}", "action": action}
    if p.mobile or engine.r() < 0.5:
        return engine.render(t, TEMPLATES["otp-sms-v2"], "sms" if p.mobile else "push", p, ctx)
    ctx["otp_spaced"] = " ".join(ctx["otp"])
    return engine.render(t, TEMPLATES["otp-voice-v1"], "phone", p, ctx, system="ivr", status="delivered")


def card_alert(engine: Engine, t: int) -> Record:
    p = engine.anyone()
    ctx = {
        "amount": engine.money(1, 600),
        "merchant": engine.pick(MERCHANTS),
        "amount2": engine.money(0, 4000),
    }
    return engine.render(t, TEMPLATES["txn-alert-v3"], "sms" if p.mobile else "push", p, ctx)


def payment(engine: Engine, t: int) -> Record:
    p = engine.anyone()
    ctx = {
        "amount": engine.money(5, 2500),
        "payee": engine.pick(PAYEES),
        "pref": engine.pick(["RENT", "Council tax", "Thanks!", "Invoice 2231", "Holiday"]),
    }
    return engine.render(t, TEMPLATES["pay-conf-v2"], "email" if engine.r() < 0.5 else "push", p, ctx)


def overdraft(engine: Engine, t: int) -> Record:
    p = engine.anyone()
    ctx = {"amount": engine.money(1, 300), "fee": engine.pick(["£5.00", "£6.00", "£10.00"])}
    return engine.render(t, TEMPLATES["od-alert-v1"], "sms" if p.mobile else "push", p, ctx)


def service(engine: Engine, t: int) -> Record:
    p = engine.anyone()
    topic, answer = engine.pick(SERVICE_TOPICS)
    channel = engine.choose(SERVICE_CHANNELS)
    if channel == "social" and not p.handle:
        channel = "email"
    return engine.render(
        t,
        TEMPLATES["cs-reply-v5"],
        channel,
        p,
        {"topic": topic, "answer": answer},
        agent=engine.agent("Customer Service"),
    )


def password(engine: Engine, t: int) -> Record:
    p = engine.anyone()
    ctx = {"device": engine.pick(DEVICES), "city": engine.pick(TOWNS)[0]}
    return engine.render(t, TEMPLATES["pwd-reset-v2"], "email", p, ctx)


def address(engine: Engine, t: int) -> Record:
    p = engine.anyone()
    return engine.render(
        t,
        TEMPLATES["addr-chg-v1"],
        "letter" if engine.r() < 0.7 else "email",
        p,
        {},
        agent=engine.agent("Customer Service"),
    )


def card_sent(engine: Engine, t: int) -> Record:
    p = engine.anyone()
    return engine.render(t, TEMPLATES["card-disp-v1"], "letter", p, {"date2": day_info(t // DAY + 10).long})


def mortgage(engine: Engine, t: int) -> Record:
    p, agent, d = engine.anyone(3, 1), engine.agent("Mortgages"), t // DAY
    if engine.r() < 0.6:
        ctx = {
            "date2": day_info(d + 3 + int(engine.r() * 10)).long,
            "appt": engine.pick(["09:30", "11:00", "13:30", "15:00", "17:30"]),
            "mode": engine.pick(["video call", "phone", "appointment in branch"]),
        }
        channel = "sms" if p.mobile and engine.r() < 0.4 else "email"
        return engine.render(t, TEMPLATES["mtg-appt-v2"], channel, p, ctx, agent=agent)
    ctx = {
        "offer": f"MO-{int(engine.r() * 1e7):07d}",
        "amount": engine.money(80_000, 600_000),
        "property": p.address,
        "term": str(engine.pick([20, 25, 30, 35])),
        "rate": engine.rate(3.6, 5.4),
        "date2": day_info(d + 800).long,
        "svr": "7.49%",
        "amount2": engine.money(500, 3200),
        "fee": engine.pick(["£0", "£999", "£1,499"]),
        "date3": day_info(d + 180).long,
    }
    return engine.render(
        t, TEMPLATES["mtg-offer-v3"], "letter" if engine.r() < 0.5 else "email", p, ctx, agent=agent
    )


def _trade_ctx(engine: Engine, d: int) -> dict[str, str]:
    fund, isin = engine.pick(FUNDS)
    return {
        "fund": fund,
        "isin": isin,
        "wrapper": engine.pick(WRAPPERS),
        "units": f"{1 + engine.r() * 5000:,.3f}",
        "side": engine.pick(["buy", "sell"]),
        "date2": day_info(d + 2).long,
    }


def trade(engine: Engine, t: int) -> Record:
    p, d = engine.anyone(7, 3), t // DAY
    ctx = _trade_ctx(engine, d)
    lines = []
    for _ in range(1 if engine.r() < 0.97 else 5 + int(engine.r() * 40)):
        fund, isin = engine.pick(FUNDS)
        lines.append(
            f"{engine.pick(['Bought', 'Sold'])} {1 + engine.r() * 5000:,.3f} units of "
            f"{fund} (ISIN {isin}) at {0.5 + engine.r() * 5:.4f} GBP: consideration "
            f"{engine.money(50, 50_000)}; dealing charge {engine.money(0, 12)}."
        )
    ctx.update(
        cnote=f"CN{int(engine.r() * 1e8):08d}",
        trades="\n".join(lines),
        venue=engine.pick(
            [
                "London Stock Exchange",
                "fund manager (dealing at the next valuation point)",
                "Aquis Exchange",
            ]
        ),
    )
    return engine.render(
        t,
        TEMPLATES["mifid-tc-v3"],
        "email" if engine.r() < 0.8 else "letter",
        p,
        ctx,
        system="wealth-platform",
    )


def adviser_call(engine: Engine, t: int) -> Record:
    p = engine.anyone(7, 3)
    ctx = _trade_ctx(engine, t // DAY)
    ctx["rec"] = f"REC-{int(engine.r() * 1e8):08d}"
    return engine.render(
        t,
        TEMPLATES["mifid-call-v2"],
        "phone",
        p,
        ctx,
        agent=engine.agent("Wealth Management (MiFID)"),
        status="delivered",
    )


def suitability(engine: Engine, t: int) -> Record:
    p = engine.anyone(7, 3)
    ctx = _trade_ctx(engine, t // DAY - 3 - int(engine.r() * 10))
    ctx.update(
        objective=engine.pick(
            [
                "to grow your savings for retirement in about 15 years",
                "to provide an income of about £6,000 a year",
                "to build a fund for your children's education",
            ]
        ),
        risk=engine.pick(["cautious (3 out of 7)", "balanced (4 out of 7)", "adventurous (6 out of 7)"]),
        capacity=engine.pick(["low", "medium", "high"]),
        amount=engine.money(5_000, 250_000),
        ocf=engine.rate(0.15, 0.9),
        fee=engine.money(250, 2_500),
    )
    return engine.render(
        t,
        TEMPLATES["mifid-suit-v4"],
        "email" if engine.r() < 0.6 else "letter",
        p,
        ctx,
        agent=engine.agent("Wealth Management (MiFID)"),
    )


def depreciation(engine: Engine, t: int) -> Record:
    p = engine.anyone(7, 3)
    before = 20_000 + engine.r() * 400_000
    pct = 10 + int(engine.r() * 15)
    ctx = {
        "wrapper": engine.pick(WRAPPERS),
        "pct": str(pct),
        "amount": f"£{before:,.2f}",
        "amount2": f"£{before * (100 - pct) / 100:,.2f}",
    }
    return engine.render(t, TEMPLATES["mifid-depr-v1"], "email", p, ctx, system="wealth-platform")


def renewal(engine: Engine, t: int) -> Record:
    p = engine.anyone(4, 2)
    ctx = {
        "cover": engine.pick(["home", "contents", "car", "travel"]),
        "policy": f"POL-{int(engine.r() * 1e7):07d}",
        "date2": day_info(t // DAY + 24).long,
        "premium_new": engine.money(90, 1400),
        "premium_old": engine.money(90, 1300),
    }
    return engine.render(t, TEMPLATES["ins-renew-v3"], "email" if engine.r() < 0.65 else "letter", p, ctx)


def claim(engine: Engine, t: int) -> Record:
    p, x = engine.anyone(4, 2), engine.r()
    ctx = {
        "cover": engine.pick(["home", "contents", "car", "travel"]),
        "claim": f"CLM-{int(engine.r() * 1e7):07d}",
        "date2": day_info(t // DAY - 3 - int(engine.r() * 40)).long,
        "update": engine.pick(
            [
                "our loss adjuster will visit on Thursday between 9am and 1pm.",
                "we've approved your claim and will pay the settlement within five days.",
                "we're waiting for the repair estimate from the garage.",
                "we need photographs of the damage before we can go further.",
            ]
        ),
    }
    if x < 0.2:
        return engine.render(t, TEMPLATES["ins-claim-v2"], "phone", p, ctx, agent=engine.agent("Insurance"))
    return engine.render(t, TEMPLATES["ins-claim-v2"], "sms" if x < 0.5 and p.mobile else "email", p, ctx)
