import { describe, expect, it } from 'vitest';
import { classifyScope } from '../../../core/assist/scopeGate';

// Confirmations, bookings, thanks and chit-chat get silence; questions and problem reports get help (issue 16,
// item 3). Customer turns of the DSTC11 fit half (labelled as needing no knowledge), BANKING77 train queries and
// helpdesk problem reports; the analyst turn before, where the act depends on it.
describe('the scope gate: what a helpdesk would stay silent on', () => {
  it('stays silent on a booking request', () => {
    expect(classifyScope('Great! Can you book that for me?', 'Both of the guesthouses have free wifi and free parking.').verdict).toBe('out');
    expect(classifyScope('Can you please schedule a taxi to take me from the station to my hotel?').verdict).toBe('out');
    expect(classifyScope('Do they have a table available for 3 people at 11:00 on Monday?').verdict).toBe('out');
  });

  it('helps with a question about what is booked, or a booking with a problem after it', () => {
    expect(classifyScope('Can you book me a room with a great view?').verdict).not.toBe('out');
    expect(classifyScope('Can you book it? My card keeps getting declined.').verdict).not.toBe('out');
  });

  it('helps with "Is parking free there?"', () => {
    expect(classifyScope('Is parking free there?').verdict).toBe('in');
  });

  it('helps with a problem report that has thanks in it', () => {
    expect(classifyScope('Thanks, but my card was declined again at the shop.').verdict).toBe('in');
    expect(classifyScope('My transfer failed, thanks for looking into it.').verdict).toBe('in');
    expect(classifyScope('Thanks for the help, but the app still crashes when I log in.').verdict).toBe('in');
  });

  it.each([
    ['Alright. Thanks for the help.', 'I have booked allenbell guesthouse for 1 person.'],
    ['Perfect that will work for me thanks so much.', 'I have booked it for you.'],
    ['Thanks for trying to help.', null],
    ["I'll look forward to hearing from them.", 'I will pass this on to the team.'],
  ])('stays silent on thanks or acceptance and nothing else: "%s"', (text, analyst) => {
    expect(classifyScope(text, analyst).verdict).toBe('out');
  });

  it.each([
    ['Which one would you recommend?', 'I have 3 guesthouses: Everton House, Autumn House and Allenbell.'],
    ['Which one is better?', 'The Ashley Hotel and the Lovell Lodge match your preferences.'],
    ['The Ashley Hotel will work for me.', 'I have 2 hotels in the north, the Ashley Hotel and the Lovell Lodge.'],
    ["Let's try the Hobson's House please.", 'There are three choices in that price range.'],
  ])('stays silent on a choice between the options offered: "%s"', (text, analyst) => {
    expect(classifyScope(text, analyst).verdict).toBe('out');
  });

  it('helps with a request for advice on the customer’s own problem', () => {
    expect(classifyScope('What do you suggest I do?').verdict).not.toBe('out');
  });

  it('stays silent on a new search after the analyst found nothing, but not on the same words with no analyst turn', () => {
    expect(classifyScope('How about an Italian restaurant in the south?', 'There are no Danish restaurants in the south.').verdict).toBe('out');
    expect(classifyScope('What about an auto top-up?').verdict).not.toBe('out');
  });

  it('stays silent on a search for places that match, but helps with a question of a way to do something', () => {
    expect(classifyScope('Is there a cheap place in the north part of town?').verdict).toBe('out');
    expect(classifyScope('I need a place to stay! Can you help?').verdict).toBe('out');
    expect(classifyScope('Is there a cheap way to send money abroad?').verdict).not.toBe('out');
  });

  it('stays silent on a field the place’s record lists, but helps with how good or how dear it is', () => {
    expect(classifyScope('What side of town are they in?').verdict).toBe('out');
    expect(classifyScope('How expensive is it?', 'I have one listing for wagamama.').verdict).toBe('out');
    expect(classifyScope('Thanks, how many stars is it rated?').verdict).toBe('out');
    expect(classifyScope('Can you tell me their post codes?').verdict).toBe('out');
    expect(classifyScope('How expensive is it to send money abroad?').verdict).not.toBe('out');
    expect(classifyScope('Is it located in a quiet area?').verdict).not.toBe('out');
    expect(classifyScope('Is it a quiet hotel?').verdict).not.toBe('out');
    expect(classifyScope('How do I input a new address?').verdict).not.toBe('out');  });

  it('helps with an IP, server or shipping address, which is part of a problem, not a place’s record', () => {
    expect(classifyScope('What is the address?').verdict).toBe('out');
    expect(classifyScope('Could I get the phone number and address please?').verdict).toBe('out');
    expect(classifyScope('Which IP address does the VPN client use?').verdict).not.toBe('out');
    expect(classifyScope('The mail server address keeps resetting after the update.').verdict).not.toBe('out');
    expect(classifyScope('What is the return address for a faulty charger?').verdict).not.toBe('out');
  });

  it('stays silent on the customer’s own travel details or wishes for the search', () => {
    expect(classifyScope('I am going to Cambridge from Ely.', 'What is your destination?').verdict).toBe('out');
    expect(classifyScope('As long as it has free wifi', 'Would you like to book the closest one?').verdict).toBe('out');
  });
});
