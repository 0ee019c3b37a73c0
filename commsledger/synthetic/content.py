"""What the records talk about: merchants, payees, funds, service questions, complaint topics,
findings, arrears reasons and fraud stories. Data only."""

from __future__ import annotations

from commsledger.synthetic.common import table_items, table_pairs

MERCHANTS = table_items(
    "Acme Groceries | Northwind Travel | Contoso Electronics | Fabrikam Fashion | Globex Fuel | "
    "Initech Software | Tailspin Toys | Coho Winery | Litware Online | Adventure Works | "
    "Wide World Importers | Blue Yonder Airlines | Margie's Travel | Fourth Coffee | "
    "Alpine Ski House | Lucerne Publishing | Proseware Ltd | Example Books"
)
PAYEES = table_items(
    "Northwind Lettings | J Smith | Example Council Tax | Contoso Energy | A Patel | "
    "Fabrikam Water | Tailspin Nursery | M Okafor | Example Credit Union"
)
FUNDS = table_pairs(
    "Example Global Equity Fund Acc=GB00EX100017 | Example UK Income Fund Inc=GB00EX200025 | "
    "Example Sterling Corporate Bond Fund=GB00EX300033 | "
    "Example Balanced Managed Portfolio=GB00EX400041 | "
    "Example Emerging Markets Fund=GB00EX500058 | Example Sustainable Growth Fund=GB00EX600066"
)
PADDED_MERCHANTS = [f"{m:<24}" for m in MERCHANTS]
CREDIT_PRODUCTS = ["credit card", "personal loan", "overdraft", "car finance agreement"]

SERVICE_TOPICS = [
    (
        "replacing a damaged card",
        "We've ordered a replacement card; it will arrive within five "
        "working days and your PIN stays the same.",
    ),
    (
        "changing a standing order",
        "You can change or cancel a standing order in the app under "
        "Payments; changes made before 8pm take effect the same day.",
    ),
    (
        "sending money abroad",
        "International payments can be made in the app in 30 currencies; "
        "we'll show you the exchange rate and any fee before you confirm.",
    ),
    (
        "opening a joint account",
        "You can add a second account holder in the app; they'll need "
        "to confirm their identity with photo ID.",
    ),
    (
        "your ISA allowance",
        "The ISA allowance is £20,000 for this tax year, and you can split "
        "it between different types of ISA.",
    ),
    (
        "registering a power of attorney",
        "Please send us the registered Lasting Power of "
        "Attorney or a certified copy, and we'll confirm when it has been added.",
    ),
    (
        "a missing refund",
        "The retailer's refund reached your account this morning; it can take "
        "up to five working days to appear after they issue it.",
    ),
    (
        "closing your account",
        "We've closed the account as you asked and sent the balance to your nominated account.",
    ),
]
# (product, what the complaint is about, what happened: it reads after "that")
COMPLAINT_TOPICS = [
    (
        "current account",
        "a card payment taken twice",
        "the same card payment was taken twice and the second one was not refunded",
    ),
    (
        "mortgage",
        "how the monthly payment was calculated",
        "the monthly payment went up without the notice that was expected",
    ),
    (
        "credit card",
        "the interest we charged",
        "interest was charged even though the balance had been paid in full",
    ),
    (
        "savings account",
        "the delay in closing the account",
        "it took three weeks to close the account and release the money",
    ),
    (
        "current account",
        "the service in our Leeds branch",
        "there was a long wait and then wrong information about a transfer",
    ),
    ("home insurance policy", "how we handled the claim", "the claim was delayed for weeks"),
    (
        "Stocks and Shares ISA",
        "the transfer from another provider",
        "the ISA transfer took more than two months",
    ),
    (
        "personal loan",
        "a missed payment reported to credit reference agencies",
        "a payment was reported as missed although a payment break had been agreed",
    ),
]
FINDINGS = [
    "We've listened to our call recordings and checked our records. They show that we didn't "
    "follow our own process, and we should have spotted the problem sooner.",
    "We've reviewed your account history in detail. A system error on our side caused the "
    "problem, and it has now been fixed for you and for other affected customers.",
    "We've looked carefully at what happened. Our records show that we followed the terms and "
    "conditions of your account and gave you the right information at the time.",
]
DECISIONS = {
    "upheld": "We uphold your complaint. We're sorry for what happened and for the "
    "inconvenience it caused you.",
    "partly upheld": "We partly uphold your complaint. We got some things wrong, and we're "
    "sorry for that, but we don't agree with every part of your complaint.",
    "not upheld": "We don't uphold your complaint. We understand this isn't the answer you "
    "hoped for, and we've explained our reasons above.",
}
HOLDS = [
    "We're waiting for information from our card scheme provider, which we need before we can "
    "reach a decision.",
    "We're listening to the call recordings you mentioned and checking them against our records.",
    "Your complaint involves several of our teams, and we want to make sure we've looked at "
    "everything properly.",
]
CALL_OUTCOMES = [
    ("failed", "No answer. No voicemail left (risk of disclosing debt to a third party)."),
    ("failed", "Number engaged. Will retry tomorrow."),
    (
        "delivered",
        "Right-party contact with {name}; security passed. Customer said {reason}. "
        "Agreed to pay {plan} by {due}.",
    ),
    (
        "delivered",
        "Right-party contact with {name}; security passed. Customer said {reason}. "
        "Offered breathing space and an income and expenditure review.",
    ),
]
ARREARS_REASONS = [
    "their hours at work had been cut",
    "they had been unwell for several weeks",
    "a bill had gone out earlier than expected",
    "they had recently separated",
    "they had forgotten to move money across",
]
FRAUD_KINDS = {
    "card": (
        "card fraud",
        "Customer confirmed they did not make the payments to {merchant} and "
        "still has the card; card details were probably taken online.",
        "cancelled and a replacement ordered.",
        "We've refunded {amount} to your account ending {acct}. The card has been "
        "cancelled and your new card will arrive within five working days.",
    ),
    "app": (
        "an authorised push payment scam",
        "Customer was contacted by someone claiming to "
        "be from the bank's security team and moved {amount} to a 'safe account'.",
        "unaffected; online banking password reset.",
        "Under the reimbursement rules for authorised push payment scams, we've refunded "
        "{amount} to your account ending {acct}, within five business days of your claim. "
        "We've also reported the receiving account to the bank that holds it.",
    ),
}
WRAPPERS = [
    "Stocks and Shares ISA",
    "General Investment Account",
    "Self-Invested Personal Pension",
]
DEVICES = ["an iPhone", "an Android phone", "a Windows computer", "a Mac", "an iPad"]
OTP_ACTIONS = [
    "log in to online banking",
    "add a new payee",
    "change your phone number",
    "set up a new device",
]
TERMS_CHANGES = [
    "- We're changing how we charge for using your debit card abroad.\n- We're removing paper "
    "statements for accounts registered for online banking.",
    "- Unarranged overdraft limits will be reviewed every year.\n- We're updating how we "
    "process payments made on bank holidays.",
    "- New rules on how quickly we must tell you about payments we block.\n- Clearer wording "
    "about joint accounts and third-party access.",
]
