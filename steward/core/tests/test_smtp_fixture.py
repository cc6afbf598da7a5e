"""The tests' SMTP server receives what Django sends over a real TCP connection."""

from django.core.mail import EmailMultiAlternatives


def test_mail_sent_through_django_arrives_at_the_test_smtp_server(smtp_server):
    message = EmailMultiAlternatives(
        "Welcome", "Plain words", "steward@example.com", ["ines.inbox@example.org"]
    )
    message.attach_alternative("<p>Rich words</p>", "text/html")

    message.send()

    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == ["ines.inbox@example.org"]
    assert received.subject == "Welcome"
    assert received.text().strip() == "Plain words"
    assert "Rich words" in received.html()
