"""Payment card display records: a number is checked and reduced to its brand and last four digits."""


def luhn_valid(number: str) -> bool:
    digits = [int(d) for d in number]
    checksum = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        checksum += digit
    return checksum % 10 == 0


def card_brand(number: str) -> str:
    if number.startswith("4"):
        return "Visa"
    if 51 <= int(number[:2]) <= 55 or 2221 <= int(number[:4]) <= 2720:
        return "Mastercard"
    if number[:2] in {"34", "37"}:
        return "American Express"
    if number.startswith(("6011", "65")) or 644 <= int(number[:3]) <= 649:
        return "Discover"
    return "Card"
