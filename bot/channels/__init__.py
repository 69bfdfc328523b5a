"""Posting briefs to channels (CHANNEL_IDS): the post, the start-up check, the posting job."""
