"""Signals of this project (Scrapy's own are in ``scrapy.signals``)."""

# A response a spider refused (a block page, a server error, a page cut short):
# send_catch_log(response_refused, response=Response, reason=str).
response_refused = object()
