"""Templates of everyday banking, mortgages, wealth management, insurance and marketing (see
``templates`` for the format). Data only."""

PRODUCT_TEMPLATES = r"""
# Retail and digital banking

== otp-sms-v2 | Retail Banking | transactional | tags: otp
short:
    {name}: your Example Bank one-time passcode is {otp}. Use it only to {action}. It expires in
    10 minutes. We will never call, text or email you to ask for this code – anyone who does is
    a fraudster. Didn't ask for it? Call us on <helpline>.

== otp-voice-v1 | Retail Banking | transactional | tags: otp
subject: Voice passcode call
call:
    Automated passcode call to the landline on file. Message played twice: "This is Example Bank
    with a one-time passcode for {name}. Your code is {otp_spaced}. Use it only to {action}.
    Never share it with anyone, including our staff." Call answered; message completed.

== txn-alert-v3 | Retail Banking | transactional
subject: Card payment of {amount}
short:
    {name}, your card ending {card} was used for {amount} at {merchant} on {long_date} at {hm}.
    Available balance: {amount2}. Not you? Freeze your card in the app and call <helpline> now.
    We will never ask you to move money to a 'safe account'.

== pay-conf-v2 | Retail Banking | transactional
subject: Payment sent: {amount} to {payee}
text:
    You sent {amount} from your account ending {acct} to {payee} on {long_date} at {hm}. The
    reference you gave was "{pref}".

    Most payments arrive within two hours, but some can take until the end of the next working
    day. If you don't recognise this payment, call us straight away on <helpline> – the sooner
    we know, the more likely it is that we can recover the money.
short:
    {name}, you sent {amount} to {payee} from your account ending {acct} (reference "{pref}").
    If this wasn't you, call <helpline> straight away – the sooner we know, the more likely we
    can get the money back.

== od-alert-v1 | Retail Banking | regulatory
subject: You're using an unarranged overdraft
short:
    {name}, your account ending {acct} is {amount} into an unarranged overdraft. Pay in enough
    by 23:59 today to avoid a fee of {fee}. Finding things hard? Talk to us on <helpline> –
    free, confidential support, and we won't judge.

== stmt-ready-v4 | Retail Banking | transactional | tags: statement | attach: 0.03
subject: Your {month} statement is ready
text:
    Your statement for {month} for your account ending {acct} is ready to view in online banking
    and the Example Bank app.

    Opening balance: {amount}\n
    Money in: {amount_in}\n
    Money out: {amount_out}\n
    Closing balance: {amount2}

    Please check your transactions and tell us straight away if you see anything you don't
    recognise. We keep your statements online for seven years.{annex}
short:
    {name}, your {month} statement for your account ending {acct} is ready in the app. Closing
    balance {amount2}. Please check your transactions and tell us straight away on <helpline> if
    anything looks wrong.

== stmt-paper-v2 | Retail Banking | transactional | tags: statement
subject: Your {month} statement – account ending {acct}
text:
    Here is your statement for {month}.

    Account ending {acct}\n
    Opening balance: {amount}\n
    Closing balance: {amount2}{annex}

    Please check this statement carefully and tell us about anything you don't recognise.
    Interest and charges are explained on the back of this page.

== pwd-reset-v2 | Customer Service | transactional
subject: Reset your online banking password
text:
    We received a request to reset the online banking password for customer number {cid} on
    {long_date} at {hm}. The request came from {device} in or near {city}.

    If it was you, follow the steps in the app within 30 minutes to choose a new password. If it
    wasn't you, don't click on anything: call us on <helpline> so that we can secure your
    account.

== addr-chg-v1 | Customer Service | service
subject: We've updated your address
text:
    As you asked, we updated the address on your account ending {acct} on {long_date}. We'll now
    write to you at:

    {address}

    If you didn't ask for this change, please call us straight away on <helpline>. As a security
    check we've also written to your previous address.

== card-disp-v1 | Retail Banking | service
subject: Your new card is on its way
text:
    Your new debit card for the account ending {acct} was sent on {long_date} and should arrive
    within five working days. The new card number ends in {card}; your PIN stays the same.

    When it arrives, sign the back and activate it by making a chip and PIN payment, then
    destroy your old card by cutting through the chip. If it hasn't arrived by {date2}, call us
    on <helpline>.

== cs-reply-v5 | Customer Service | service
subject: Your question about {topic}
text:
    Thank you for getting in touch about {topic}. {answer}

    If there's anything else, reply to this message or call us on <helpline> (8am–8pm, Monday to
    Saturday).
short:
    Hi {name}, thanks for your message about {topic}. {answer} Please don't share card numbers
    or passwords here – we'll never ask for them.

# Mortgages

== mtg-appt-v2 | Mortgages | service
subject: Your mortgage appointment on {date2}
text:
    This confirms your mortgage appointment with {signer} on {date2} at {appt}, by {mode}.

    Please have ready your last three months' payslips, your last three bank statements, photo
    ID and details of any other borrowing. The appointment usually takes about an hour. To
    rearrange, reply to this email or call <helpline>.
short:
    {name}, reminder: your Example Bank mortgage appointment is on {date2} at {appt}, by {mode}.
    Please have payslips, bank statements and photo ID ready. To rearrange call <helpline>.

== mtg-offer-v3 | Mortgages | regulatory | attach: 0.3
subject: Your mortgage offer {offer}
text:
    We're pleased to offer you a mortgage of {amount} on {property} over {term} years.

    Product: {rate} fixed until {date2}, then our Standard Variable Rate (currently {svr}).\n
    Monthly payment during the fixed period: {amount2}.\n
    Product fee: {fee}.

    This offer is valid until {date3}. The enclosed European Standardised Information Sheet
    (ESIS) sets out the full cost of the loan, including the total amount you will repay. You
    have a reflection period of at least seven days to consider the offer, and you can accept it
    at any time during that period.

    Your home may be repossessed if you do not keep up repayments on your mortgage.

== rate-chg-v2 | Mortgages | regulatory | tags: rate-change
subject: Your interest rate is changing on {date2}
text:
    We're writing to tell you that the interest rate on your {product} ending {acct} will change
    from {rate_old} to {rate_new} on {date2}. {impact}

    Why we're making this change: {reason}

    You don't need to do anything. If you're not happy with the change, you can {rights} without
    charge before it takes effect.

# Wealth management (MiFID)

== mifid-tc-v3 | Wealth Management (MiFID) | transactional | tags: mifid | attach: 0.12
subject: Contract note {cnote}
text:
    Contract note {cnote} for your {wrapper} ending {acct}.

    {trades}

    Execution venue: {venue}. Settlement date: {date2}.

    Please check this contract note and tell us within five working days if anything is wrong.
    The value of investments can go down as well as up and you may get back less than you
    invested.

== mifid-call-v2 | Wealth Management (MiFID) | transactional | tags: mifid recorded
subject: Recorded call: dealing instruction
call:
    Recorded line, recording {rec} (kept for at least five years under MiFID II and SYSC 10A).
    Identity verified by security questions. {name} instructed us to {side} {units} units of
    {fund} (ISIN {isin}) in the {wrapper} ending {acct}. Instruction read back and confirmed;
    order placed at {hm}, execution only. Risk warning given: the value of investments can fall
    as well as rise. Contract note to follow by email.

== mifid-suit-v4 | Wealth Management (MiFID) | regulatory | tags: mifid | attach: 0.25
subject: Your suitability report
text:
    Following our meeting on {date2}, this report sets out our recommendation and why we believe
    it is suitable for you.

    Your objectives: {objective}.\n
    Your attitude to risk: {risk}.\n
    Your capacity for loss: {capacity}.

    Our recommendation: invest {amount} in the {fund} (ISIN {isin}) within your {wrapper} ending
    {acct}. The fund matches the level of risk you told us you are comfortable with, gives you
    exposure to a broad range of assets and can be held for the five years or more you intend to
    invest.

    Costs: the fund's ongoing charges are {ocf} a year and our advice fee is {fee}. Over five
    years, these costs could reduce your return as shown in the enclosed illustration.

    Risks: the value of your investment and the income from it can fall as well as rise, and you
    may get back less than you invest. Past performance is not a reliable indicator of future
    results.

== mifid-val-v2 | Wealth Management (MiFID) | regulatory | tags: mifid
subject: Your quarterly valuation at {date2}
text:
    Here is the valuation of your {wrapper} ending {acct} at {date2}.

    Value at the start of the quarter: {amount}\n
    Value at the end of the quarter: {amount2}

    Your holdings:\n
    {holdings}

    Your full statement, including all transactions and charges in the quarter, is in your
    online account.

== mifid-cc-v1 | Wealth Management (MiFID) | regulatory | tags: mifid
subject: Your costs and charges statement for {year}
text:
    This statement shows the costs and charges you paid on your {wrapper} ending {acct} during
    {year}, as MiFID II requires.

    Service costs (advice and platform): {fee}\n
    Product costs (fund charges and transaction costs): {fee2}\n
    Total: {amount}, which is {pct}% of the average value of your investments.

    These costs reduced your return over the year by about {amount}. Without them, your
    investments would have been worth about {amount2} at the end of the year.

== mifid-depr-v1 | Wealth Management (MiFID) | regulatory | tags: mifid
subject: Your portfolio has fallen in value by {pct}%
text:
    We're required to tell you when the overall value of your portfolio falls by 10% or more
    since your last quarterly statement. At the close of business on {long_date} your {wrapper}
    ending {acct} was worth {amount2}, down {pct}% from {amount}.

    You don't need to do anything. Markets go up and down, and we recommend you think about your
    long-term goals before making any changes. If you'd like to review your investments, please
    contact your adviser or call us on <helpline>.

# Insurance

== ins-renew-v3 | Insurance | regulatory | attach: 0.05
subject: Your {cover} insurance renewal – {policy}
text:
    Your {cover} insurance policy {policy} renews on {date2}.

    Your premium for the coming year: {premium_new}\n
    What you paid last year: {premium_old}

    The price we offer you at renewal is no higher than we would offer a new customer for the
    same cover through the same channel. We'll renew your policy automatically and collect the
    premium by Direct Debit unless you tell us not to. Please check that the cover still meets
    your needs, and tell us about any changes, such as a new address or a claim you haven't told
    us about.

== ins-claim-v2 | Insurance | service
subject: Update on your claim {claim}
text:
    Here's an update on your {cover} insurance claim {claim}, made on {date2}: {update}

    You can follow your claim in the app, or call us on <helpline> quoting {claim}.
short:
    {name}, an update on your {cover} claim {claim}: {update} Questions? Call <helpline> quoting
    {claim}.
call:
    Outbound call to {name} about {cover} claim {claim}. {update} Customer understood the next
    steps.

# Marketing

== mkt-isa-v2 | Marketing | marketing
subject: {first}, make the most of your ISA allowance
text:
    There's still time to use this tax year's ISA allowance of £20,000 before 5 April. Our
    two-year Fixed Rate Cash ISA pays {rate} AER/tax-free, and you can transfer ISAs you hold
    elsewhere without losing the tax benefits.

    Open one in minutes in the app. Tax treatment depends on your individual circumstances and
    may change in the future.

    <marketing-footer>
short:
    {name}, use your £20,000 ISA allowance before 5 April: our two-year Fixed Rate Cash ISA pays
    {rate} AER. Open one in the app in minutes. <sms-stop>

== mkt-bt-v1 | Marketing | marketing
subject: {first}, 0% on balance transfers for {months} months
text:
    Move your card balances to an Example Bank credit card and pay 0% interest on them for
    {months} months (3% transfer fee). After that, the purchase and balance transfer rate is
    {apr} p.a. (variable).

    Representative example: assumed credit limit £1,200, purchase rate {apr} p.a. (variable),
    {apr} APR representative (variable).

    Credit is subject to status; you must be 18 or over and a UK resident.

    <marketing-footer>
short:
    {name}, 0% on balance transfers for {months} months (3% fee), then {apr} APR representative
    (variable). Credit subject to status. Apply in the app. <sms-stop>

== mkt-sav-v3 | Marketing | marketing
subject: A better home for your savings, {first}
text:
    Our one-year Fixed Saver now pays {rate} AER/gross p.a. on balances from £1,000. Your money
    is protected by the Financial Services Compensation Scheme up to the scheme limit.

    You can't withdraw or add money during the fixed term, so please make sure you won't need it
    before the term ends.

    <marketing-footer>
short:
    {name}, our one-year Fixed Saver now pays {rate} AER on £1,000 or more. Open it in the app
    in minutes. No withdrawals during the term. <sms-stop>

== mkt-app-v1 | Marketing | marketing
subject: New in the app: savings pots
text:
    You can now set up to ten savings pots in the Example Bank app, give each one a name and a
    goal, and round up your card payments into them automatically.

    Update the app to try it today.

    <marketing-footer>
short:
    {name}, new in the app: savings pots. Set a goal, name your pot and round up card payments
    automatically. Update the app to try it. Manage notifications in Settings.

== mkt-mtg-v2 | Marketing | marketing
subject: {first}, is your mortgage deal ending soon?
text:
    If your current mortgage deal ends in the next six months, you can secure a new rate with us
    now – from {rate} for two years – and we'll switch you over when your deal ends.

    Your home may be repossessed if you do not keep up repayments on your mortgage.

    <marketing-footer>
short:
    {name}, deal ending soon? Secure a new Example Bank mortgage rate from {rate} up to six
    months ahead. Your home may be repossessed if you do not keep up repayments. <sms-stop>

== mkt-inv-v1 | Marketing | marketing
subject: {first}, start investing from £25 a month
text:
    Our ready-made portfolios let you start investing from £25 a month, with one simple annual
    fee of {rate}.

    Capital at risk: the value of investments can go down as well as up and you may get back
    less than you put in. If you're unsure whether investing is right for you, please seek
    financial advice.

    <marketing-footer>
short:
    {name}, start investing from £25 a month with our ready-made portfolios. Capital at risk:
    you may get back less than you put in. <sms-stop>
"""
