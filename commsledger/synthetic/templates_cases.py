"""Templates of cases (complaints, collections, fraud, subject access, litigation) and of
regulatory mailings (see ``templates`` for the format). Data only."""

CASE_TEMPLATES = r"""
# Complaints (FCA DISP 1.6: final response within eight weeks)

== cmp-src-v2 | Complaints | complaint | tags: fos-rights
subject: Your complaint {ref} – resolved
text:
    Thank you for talking to us on {received} about {issue} on your {product} ending {acct}. As
    we discussed, {resolution}

    We treat this as a complaint that we resolved by the end of the third business day after we
    received it. <fos>

== cmp-ack-v3 | Complaints | complaint
subject: We've received your complaint {ref}
text:
    Thank you for telling us about {issue} on your {product} ending {acct}. We're sorry you've
    had reason to complain. We received your complaint on {received} and your reference is
    {ref}.

    {signer} will look into it and keep you updated. We aim to send you our final response as
    soon as we can and in any case within eight weeks, by {deadline}. If we need more time,
    we'll write to explain why.

    Our complaints leaflet explains how we handle complaints and your right to refer your
    complaint to the Financial Ombudsman Service.

== cmp-call-v1 | Complaints | complaint | tags: recorded
subject: Call about complaint {ref}
call:
    Call about complaint {ref} ({issue}). Spoke to {name}; security passed. Customer explained
    that {detail}. I explained how we'll investigate and that we'll respond in full by
    {deadline}. Customer {mood}.

== cmp-hold-v2 | Complaints | complaint
subject: An update on your complaint {ref}
text:
    We're still looking into your complaint about {issue}, which we received on {received}.
    {hold}

    We'll send you our final response by {deadline} at the latest. If we can't, we'll write to
    explain why and tell you about your right to refer your complaint to the Financial Ombudsman
    Service.

== cmp-frl-v5 | Complaints | complaint | tags: fos-rights | attach: 0.2
subject: Our final response to your complaint {ref}
text:
    This is our final response to your complaint about {issue} on your {product} ending {acct},
    which we received on {received}.

    Your complaint\n
    You told us that {detail}.

    What we found\n
    {finding}

    Our decision\n
    {decision}

    {redress}Referring your complaint to the Financial Ombudsman Service\n
    <fos>

    We've enclosed the Ombudsman's explanatory leaflet.

== cmp-8wk-v1 | Complaints | complaint | tags: fos-rights
subject: Your complaint {ref}: our eight-week update
text:
    It's now almost eight weeks since we received your complaint about {issue} on {received},
    and we're sorry that we haven't yet been able to send you our final response. {hold} We
    expect to write to you with our decision by {date2}.

    You now have the right to refer your complaint to the Financial Ombudsman Service without
    waiting for our final response. <fos>

# Collections

== col-rem-v2 | Collections | collections | tags: arrears
subject: A payment on your {product} is overdue
text:
    We haven't received your payment of {amount} for your {product} ending {acct}, which was due
    on {due}. If you've paid in the last few days, thank you – please ignore this message.

    If you're finding it hard to keep up, please talk to us as soon as you can on <helpline>. We
    can look at options such as a payment plan or a break in payments.
short:
    {name}, we haven't received your payment of {amount} for your {product} ending {acct}, due
    {due}. Please pay in the app or call <helpline>. Finding things difficult? Talk to us –
    we're here to help.

== col-call-v3 | Collections | collections | tags: arrears
subject: Collections call – {ref}
call:
    Call attempt {attempt} about arrears of {amount} on the {product} ending {acct} (case
    {ref}). {outcome}

== col-nosia-v1 | Collections | collections | tags: arrears
subject: Notice of sums in arrears – {product} ending {acct}
text:
    This notice is sent to you under the Consumer Credit Act 1974 because you are behind with
    your payments under the agreement for your {product} ending {acct}.

    Arrears at {long_date}: {amount}\n
    Payments missed: {missed}

    If you are having difficulty paying, please talk to us: we can discuss a payment plan or
    other help. We've enclosed the Financial Conduct Authority's arrears information sheet,
    which explains your options and where to get free, independent debt advice.

== col-ie-v1 | Collections | collections | tags: arrears hardship
subject: Let's find a payment plan that works for you
text:
    Thank you for talking to us on {date2} about your {product} ending {acct}. To agree a plan
    you can afford, please complete an income and expenditure form online or by phone by {due}.
    We've put collection activity on hold for 30 days and we won't add interest or charges while
    you do this.

== col-arr-v2 | Collections | collections | tags: arrears
subject: Your payment plan is confirmed
text:
    This confirms the payment plan we agreed on {date2}: {plan} a month, starting on {due},
    until the arrears of {amount} on your {product} ending {acct} are cleared. We'll write to
    you every year to review the plan, and you can ask to change it at any time if your
    circumstances change.

    A payment plan may be reported to credit reference agencies and may affect your ability to
    get credit.

== col-paid-v1 | Collections | collections
subject: Thank you – your account is up to date
text:
    Thank you for your payment of {amount} to your {product} ending {acct}. Your account is now
    up to date and we've closed case {ref}.
short:
    {name}, thank you for your payment of {amount}. Your {product} ending {acct} is now up to
    date and we've closed case {ref}. No further action is needed.

== col-dn-v3 | Collections | collections | tags: arrears
subject: Default notice – {product} ending {acct}
text:
    DEFAULT NOTICE served under section 87(1) of the Consumer Credit Act 1974.

    IMPORTANT – YOU SHOULD READ THIS CAREFULLY.

    You are in breach of your agreement for the {product} ending {acct} because you have not
    made the payments due. The amount required to remedy the breach is {amount}, which must be
    paid by {due}. If the breach is remedied by that date, no further action will be taken in
    respect of it. If it is not, we may end the agreement and demand the whole outstanding
    balance of {amount2}.

    If you have difficulty paying, you can contact us or a free debt advice service. If you
    think this notice is wrong, please tell us straight away.

# Fraud

== frd-alert-v4 | Fraud | transactional
subject: Did you make this payment?
short:
    Example Bank fraud team for {name}: did you just try to pay {amount} to {merchant} with your
    card ending {card}? Reply Y if it was you or N if it wasn't. We've paused the payment. We
    will never ask for your PIN or passcodes.

== frd-ok-v1 | Fraud | transactional
subject: Thanks for confirming
short:
    {name}, thanks for confirming the payment of {amount} to {merchant} was you. We've released
    it and your card ending {card} works as normal. Case {ref} is now closed.

== frd-call-v2 | Fraud | service | tags: recorded
subject: Fraud team call – {ref}
call:
    Recorded outbound call from the fraud team about case {ref}. Spoke to {name} on
    {phone_shown}. {story} Card ending {card} {card_action} Customer reminded never to share
    one-time passcodes and never to move money to a 'safe account'.

== frd-outcome-v2 | Fraud | service | attach: 0.05
subject: The outcome of your fraud claim {ref}
text:
    Thank you for reporting {fraud} on your account ending {acct} on {received}. {outcome}

    Fraudsters are very convincing. Remember: we will never ask you to move money to keep it
    safe, and we will never ask for your PIN, full password or one-time passcodes.

# Data protection

== dsar-ack-v1 | Data Protection Office | regulatory
subject: Your request for a copy of your personal data ({ref})
text:
    We received your request for a copy of your personal data on {received}; your reference is
    {ref}. We'll respond within one month, by {deadline}. If your request is complex we may need
    up to two more months, and we'll tell you before {deadline} if so.

    To protect your information, we'll only send the copy to the contact details we hold for
    customer number {cid}.

== dsar-resp-v2 | Data Protection Office | regulatory | attach: 0.7
subject: Your personal data – request {ref}
text:
    We've completed your subject access request {ref}, which we received on {received}. Attached
    is a copy of the personal data we hold about you, including the records of your account
    ending {acct}, the communications we've sent you and notes of our calls with you.

    We've removed information about other people where sharing it would adversely affect their
    rights. For each category of data we've explained why we use it, who we share it with and
    how long we keep it. If you're unhappy with how we've handled your request, you can complain
    to the Information Commissioner's Office.

# Legal

== lgl-lba-v1 | Legal | legal
subject: Letter before claim – {product} ending {acct}
text:
    We are writing to you under the Pre-Action Protocol for Debt Claims about the balance of
    {amount} owed under your {product} ending {acct}, which we ended on {date2} (our reference
    {ref}).

    If you do not pay the balance, or contact us to agree a way forward, within 30 days of the
    date of this letter, we may start court proceedings against you. We've enclosed an
    information sheet, a reply form and a financial statement. You should get free, independent
    debt advice; if you tell us you are doing so, we will pause action while you get it.

== lgl-next-v1 | Legal | legal
subject: Your {product} ending {acct} – next steps ({ref})
text:
    We wrote to you on {date2} about the balance of {amount} owed under your {product} ending
    {acct}. {outcome}

    If you have any questions, please contact us quoting {ref}.

# Regulatory mailings

== reg-tc-v2 | Retail Banking | regulatory
subject: Changes to your account terms from {date2}
text:
    We're making some changes to the terms and conditions of your account ending {acct}, which
    take effect on {date2}. We're giving you at least two months' notice, as the Payment
    Services Regulations require.

    The main changes are:\n
    {changes}

    If you're happy with the changes, you don't need to do anything. If you don't want to accept
    them, you can close your account or switch to another of our accounts without charge at any
    time before {date2}.
"""
